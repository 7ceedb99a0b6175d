from odoo import fields, models


class CrmActivityReport(models.Model):
    _inherit = "crm.activity.report"

    lead_id = fields.Many2one(string="Deal")
    lead_type = fields.Selection(
        selection=[("lead", "Lead"), ("opportunity", "Deal")],
        help="Type is used to separate Leads and Deals",
    )
