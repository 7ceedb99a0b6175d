from odoo import api, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # Not on the discount itself: a new standard discount must not reprice
    # confirmed orders.
    @api.depends("order_id.partner_id")
    def _compute_discount(self):
        """An account's standard discount (its family's, unless a manager
        allowed an exception) is the least discount of its order lines; a better
        pricelist discount wins."""
        result = super()._compute_discount()
        for line in self:
            if not line.product_id or line.display_type or line.combo_item_id:
                continue
            account = line.order_id.partner_id.commercial_partner_id
            standard = account.contoso_standard_discount
            if standard and line.discount < standard:
                line.discount = standard
        return result

    # The lines make the quotation: a technical consultant changes none
    # (sale.order._contoso_check_consultant_sells).
    @api.model_create_multi
    def create(self, vals_list):
        self.env["sale.order"]._contoso_check_consultant_sells()
        return super().create(vals_list)

    def write(self, vals):
        self.env["sale.order"]._contoso_check_consultant_sells()
        return super().write(vals)

    def unlink(self):
        self.env["sale.order"]._contoso_check_consultant_sells()
        return super().unlink()
