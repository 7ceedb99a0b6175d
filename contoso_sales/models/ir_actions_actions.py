from odoo import models

INVOICE_WIZARD_ACTION = "sale.action_view_sale_advance_payment_inv"


class IrActionsActions(models.Model):
    _inherit = "ir.actions.actions"

    def get_bindings(self, model_name):
        """Hide 'Create invoice(s)' from the Action menu of orders for users who
        may not invoice; the server refuses it anyway."""
        result = super().get_bindings(model_name)
        if model_name != "sale.order" or not result.get("action"):
            return result
        if self.env["account.move"]._contoso_may_invoice():
            return result
        wizard = self.env.ref(INVOICE_WIZARD_ACTION, raise_if_not_found=False)
        if wizard:
            result = dict(result)
            actions = [a for a in result["action"] if a["id"] != wizard.id]
            if actions:
                result["action"] = actions
            else:
                del result["action"]
        return result
