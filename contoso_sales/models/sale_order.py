from odoo import api, models
from odoo.exceptions import AccessError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model_create_multi
    def create(self, vals_list):
        # A technical consultant verifies deals, he does not sell them: no
        # quotation of his own, from a deal's New Quotation or any other path.
        if not self.env.su and self.env["crm.lead"]._contoso_user_is_consultant_only():
            raise AccessError(
                self.env._(
                    "%(user)s is a technical consultant and cannot create "
                    "quotations: selling is the salesperson's. Ask the deal's "
                    "salesperson or a sales manager.",
                    user=self.env.user.name,
                )
            )
        return super().create(vals_list)

    def _create_invoices(self, grouped=False, final=False, date=None):
        # Every invoicing path of sale ends here (the wizard's regular invoices,
        # automatic invoicing); Odoo then creates the invoice as superuser.
        self.env["account.move"]._contoso_check_can_invoice(self)
        return super()._create_invoices(grouped=grouped, final=final, date=date)
