from odoo import api, models
from odoo.exceptions import AccessError, ValidationError

MANAGER_GROUP = "contoso_sales.group_sales_manager"


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

    @api.constrains("state", "opportunity_id")
    def _check_deal_tech_check(self):
        """Confirming the order of a deal that still needs a tech check moves
        the deal on without it: only a sales manager may. A constraint on the
        order as it is, so that the button, RPC (action_confirm or a write of the
        state), Odoo's own confirmations as superuser for a portal customer, and
        linking an order confirmed earlier to the deal all meet it."""
        if self.env.user.has_group(MANAGER_GROUP):
            return
        confirmed = self.filtered(lambda o: o.state == "sale")
        # sudo: the rule holds whoever confirms, even one who cannot read the
        # deal (portal signature, payment); only the refusal names it.
        pending = confirmed.opportunity_id.sudo()._tech_check_pending()
        if not pending:
            return
        order = confirmed.filtered(lambda o: o.opportunity_id in pending)[0]
        raise ValidationError(
            order.opportunity_id.sudo()._tech_check_message(
                self.env._("its order %(order)s is confirmed", order=order.name)
            )
        )

    def _create_invoices(self, grouped=False, final=False, date=None):
        # Every invoicing path of sale ends here (the wizard's regular invoices,
        # automatic invoicing); Odoo then creates the invoice as superuser.
        self.env["account.move"]._contoso_check_can_invoice(self)
        return super()._create_invoices(grouped=grouped, final=final, date=date)
