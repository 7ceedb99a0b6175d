from odoo import fields, models


class ContosoTechCheckOverride(models.TransientModel):
    _name = "contoso.tech.check.override"
    _description = "Override a Deal's Tech Check"

    lead_id = fields.Many2one("crm.lead", string="Deal", required=True)
    reason = fields.Text(
        required=True,
        help="Why this deal may close without a passed tech check. Kept on the deal "
        "and in its chatter.",
    )

    def action_confirm(self):
        self.ensure_one()
        # The deal's write() checks the manager role and stamps who and when.
        self.lead_id.tech_check_override_reason = self.reason
        return {"type": "ir.actions.act_window_close"}
