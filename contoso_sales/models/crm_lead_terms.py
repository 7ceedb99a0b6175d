from odoo import fields, models


class CrmLead(models.Model):
    """Opportunities are called Deals at Contoso: only labels change here, the
    technical names and selection keys stay Odoo's."""

    _inherit = "crm.lead"

    name = fields.Char(string="Deal")
    type = fields.Selection(selection=[("lead", "Lead"), ("opportunity", "Deal")])
    tag_ids = fields.Many2many(
        help="Classify and analyze your lead/deal categories like: Training, Service"
    )
    date_deadline = fields.Date(
        help="Estimate of the date on which the deal will be won."
    )
    partner_name = fields.Char(
        help="The name of the future partner company that will be created while "
        "converting the lead into a deal"
    )


class CrmActivityReport(models.Model):
    _inherit = "crm.activity.report"

    lead_id = fields.Many2one(string="Deal")
    lead_type = fields.Selection(
        selection=[("lead", "Lead"), ("opportunity", "Deal")],
        help="Type is used to separate Leads and Deals",
    )


class CrmTeam(models.Model):
    _inherit = "crm.team"

    # crm's French help of this field speaks of « opportunités ».
    alias_id = fields.Many2one(
        help="The email address of this sales team. New emails received "
        "automatically create new leads assigned to the team."
    )
    use_leads = fields.Boolean(
        help="Check this box to filter and qualify incoming requests as leads "
        "before converting them into deals and assigning them to a salesperson."
    )
    use_opportunities = fields.Boolean(
        help="Check this box to manage a presales process with deals."
    )
    lead_all_assigned_month_count = fields.Integer(
        string="# Leads/Deals assigned this month",
        help="Number of leads and deals assigned this last month.",
    )
