from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

MANAGER_GROUP = "contoso_sales.group_sales_manager"


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

    def write(self, vals):
        changed = self.filtered(
            lambda team: (
                "contoso_tech_check" in vals
                and team.contoso_tech_check != bool(vals["contoso_tech_check"])
            )
        )
        # Which teams are gated is the Contoso sales managers' decision, not that
        # of any Odoo Sales Administrator.
        if changed and not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._(
                    "%(user)s cannot change Tech Checks of team %(team)s: it "
                    "decides which deals need a tech check. Ask a Contoso sales "
                    "manager.",
                    user=self.env.user.name,
                    team=", ".join(changed.mapped("name")),
                )
            )
        result = super().write(vals)
        if changed:
            self.env["crm.lead"]._tech_check_raise_blocked_by_setting(
                [("team_id", "in", changed.ids)],
                self.env._(
                    "Tech Checks of team %(team)s",
                    team=", ".join(changed.mapped("name")),
                ),
            )
        if "contoso_share_deals" in vals:
            self.env["crm.team.member"]._contoso_sharing_changed()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_tech_check(self):
        # Deleting the team would empty its deals' team (set null in the
        # database) and free them from the gate without any check.
        gated = self.filtered("contoso_tech_check")
        if gated:
            raise UserError(
                self.env._(
                    "Team %(team)s uses tech checks: a Contoso sales manager turns "
                    "its Tech Checks off before it can be deleted, or archive it.",
                    team=gated[0].name,
                )
            )
