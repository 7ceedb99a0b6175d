from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _create_invoices(self, grouped=False, final=False, date=None):
        # Every invoicing path of sale ends here (the wizard's regular invoices,
        # automatic invoicing); Odoo then creates the invoice as superuser.
        self.env["account.move"]._contoso_check_can_invoice(self)
        return super()._create_invoices(grouped=grouped, final=final, date=date)
