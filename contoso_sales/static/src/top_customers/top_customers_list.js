import { registry } from "@web/core/registry";
import { ListRenderer } from "@web/views/list/list_renderer";
import { listView } from "@web/views/list/list_view";

/**
 * Top Customers: each family row offers its White Space button while folded.
 * Odoo shows a group's buttons only once the group is unfolded; here the
 * family is the thing a manager picks, so its button is on the row itself.
 */
export class TopCustomersListRenderer extends ListRenderer {
    static groupRowTemplate = "contoso_sales.TopCustomersGroupRow";
}

registry.category("views").add("contoso_top_customers_list", {
    ...listView,
    Renderer: TopCustomersListRenderer,
});
