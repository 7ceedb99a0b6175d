from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    contoso_own_stages = fields.Boolean(
        string="Own Stages Only",
        help="The pipeline of this team shows only the stages assigned to it, not "
        "the stages shared by all teams.",
    )
    contoso_tech_check = fields.Boolean(
        string="Tech Checks",
        tracking=True,
        help="Deals of this team worth more than the company's tech check threshold "
        "need a passed tech check before they enter a gated stage or are won.",
    )
    contoso_nurture = fields.Boolean(
        string="Corporate Nurturing",
        tracking=True,
        help="Leads and deals of this team created or assigned for a corporate "
        "customer start the nurturing cadence by themselves (when the company's "
        "automatic enrolment setting is on). Any deal can still start it by hand.",
    )

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
    contoso_share_deals = fields.Boolean(
        string="Salespeople See the Team's Deals",
        tracking=True,
        help="Salespeople of this team read and edit every lead and deal of the "
        "team, not only their own and unassigned ones.",
    )
