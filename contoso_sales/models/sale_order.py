from odoo import api, models
from odoo.exceptions import AccessError, ValidationError

MANAGER_GROUP = "contoso_sales.group_sales_manager"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    def _contoso_check_consultant_sells(self):
        """A technical consultant verifies deals, he does not sell them: no
        quotation of his own, and no change to anyone's, from a deal's New
        Quotation, a copy, a line or any other path. Odoo's own rules let every
        salesman edit unassigned quotations: this refusal holds for those too."""
        if self.env.su or not self.env["crm.lead"]._contoso_user_is_consultant_only():
            return
        raise AccessError(
            self.env._(
                "%(user)s is a technical consultant and cannot create, change "
                "or delete quotations: selling is the salesperson's. Ask the "
                "deal's salesperson or a sales manager.",
                user=self.env.user.name,
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._contoso_check_consultant_sells()
        return super().create(vals_list)

    def write(self, vals):
        self._contoso_check_consultant_sells()
        return super().write(vals)

    def unlink(self):
        self._contoso_check_consultant_sells()
        return super().unlink()

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
