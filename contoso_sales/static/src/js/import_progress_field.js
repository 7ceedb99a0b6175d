import { registry } from "@web/core/registry";
import {
    ProgressBarField,
    progressBarField,
} from "@web/views/fields/progress_bar/progress_bar_field";
import { onWillDestroy } from "@odoo/owl";

const POLL_MS = 2000;

/**
 * The progress bar of an import that runs in the background: while the batch
 * is queued or running, the form reloads it every two seconds.
 */
export class ImportProgressField extends ProgressBarField {
    setup() {
        super.setup();
        const timer = setInterval(() => {
            const { record } = this.props;
            if (!["queued", "running"].includes(record.data.state)) {
                return;
            }
            if (!record.isDirty) {
                record.load();
            }
        }, POLL_MS);
        onWillDestroy(() => clearInterval(timer));
    }
}

registry.category("fields").add("contoso_import_progress", {
    ...progressBarField,
    component: ImportProgressField,
});
