import { Component, onWillStart, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { Layout } from "@web/search/layout";
import { formatMonetary } from "@web/views/fields/formatters";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

/**
 * White space of an account family: its companies × what the family buys.
 * A gap cell shows what the company could buy; one click creates the
 * cross-sell deal (server: contoso.white.space.create_cross_sell).
 */
export class ContosoWhiteSpace extends Component {
    static template = "contoso_sales.WhiteSpace";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.state = useState({ matrix: null, by: "category", busy: false });
        onWillStart(() => this.load());
    }

    get familyId() {
        const { params, context } = this.props.action;
        return (params && params.family_id) || (context && context.active_id);
    }

    async load() {
        this.state.matrix = await this.orm.call(
            "contoso.white.space",
            "get_matrix",
            [this.familyId],
            { by: this.state.by },
        );
    }

    format(amount) {
        return formatMonetary(amount, { currencyId: this.state.matrix.currency_id });
    }

    async setBy(by) {
        this.state.by = by;
        await this.load();
    }

    async createDeal(row, cell) {
        if (this.state.busy) {
            return;
        }
        this.state.busy = true;
        try {
            const action = await this.orm.call(
                "contoso.white.space",
                "create_cross_sell",
                [row.partner_id, cell.column_id],
                { by: this.state.by },
            );
            await this.actionService.doAction(action);
        } finally {
            this.state.busy = false;
        }
    }

    openRecord(model, id) {
        this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: model,
            res_id: id,
            views: [[false, "form"]],
        });
    }
}

registry.category("actions").add("contoso_white_space", ContosoWhiteSpace);
