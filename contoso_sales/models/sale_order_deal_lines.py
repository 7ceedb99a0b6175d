from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def action_confirm(self):
        # A quotation made from a deal is opened with default_order_line (the
        # deal's lines) in its context, and the web client sends that context
        # with the Confirm button: without this, the request for quotation the
        # confirmation makes (replenishment) gets a bogus line from it. sale_crm
        # drops default_tag_ids the same way.
        context = {
            key: value
            for key, value in self.env.context.items()
            if key != "default_order_line"
        }
        # a key must go, not change: with_context(**kwargs) cannot drop it
        # pylint: disable-next=context-overridden
        return super(SaleOrder, self.with_context(context)).action_confirm()
