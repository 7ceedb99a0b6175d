from odoo import models


class SaleAdvancePaymentInv(models.TransientModel):
    _inherit = "sale.advance.payment.inv"

    def _create_invoices(self, sale_orders):
        # Down payment invoices are created here as superuser, without going
        # through sale.order._create_invoices: refuse them here too.
        self.env["account.move"]._contoso_check_can_invoice(sale_orders)
        return super()._create_invoices(sale_orders)
