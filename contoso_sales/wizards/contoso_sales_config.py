from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command

MANAGER_GROUP = "contoso_sales.group_sales_manager"


class ContosoSalesConfig(models.TransientModel):
    """The Contoso deal settings a sales manager may change (tech checks,
    nurturing). Odoo's Settings screen is for administrators only, and
    res.company is not writable by sales managers: this form changes just
    these values of their company."""

    _name = "contoso.sales.config"
    _description = "Contoso Deal Settings"

    # Computed, never stored: the settings are those of the user's current
    # company, whatever company a client sends.
    company_id = fields.Many2one(
        "res.company", string="Company", compute="_compute_company_id"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    tech_check_threshold = fields.Monetary(
        string="Tech Check Threshold",
        currency_field="currency_id",
        required=True,
        help="Deals worth more than this need a passed tech check before they close.",
    )

    nurture_auto_enrol = fields.Boolean(
        string="Enrol Corporate Deals Automatically",
        help="Start the nurturing cadence when a deal of a corporate customer is "
        "created or assigned.",
    )
    nurture_auto_send = fields.Boolean(
        string="Send Nurturing Emails Automatically",
        help="Send the email steps of the cadence on their due date.",
    )

    share_deals_team_ids = fields.Many2many(
        "crm.team",
        string="Teams Sharing Their Deals",
        help="Salespeople of these teams read and edit every lead and deal of "
        "their team, not only their own and unassigned ones.",
    )

    # setting on this form -> field of the company
    _COMPANY_FIELDS = {
        "tech_check_threshold": "contoso_tech_check_threshold",
        "nurture_auto_enrol": "contoso_nurture_auto_enrol",
        "nurture_auto_send": "contoso_nurture_auto_send",
    }

    @api.depends_context("company")
    def _compute_company_id(self):
        self.company_id = self.env.company

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        company = self.env.company
        for name, company_field in self._COMPANY_FIELDS.items():
            values[name] = company[company_field]
        values["share_deals_team_ids"] = [
            Command.set(
                self._contoso_company_teams().filtered("contoso_share_deals").ids
            )
        ]
        return values

    def _contoso_company_teams(self):
        return self.env["crm.team"].search(
            [("company_id", "in", [self.env.company.id, False])]
        )

    @api.constrains("tech_check_threshold")
    def _check_threshold(self):
        for config in self:
            if config.tech_check_threshold < 0:
                raise ValidationError(
                    self.env._(
                        "The tech check threshold cannot be negative (got %(amount)s).",
                        amount=config.tech_check_threshold,
                    )
                )

    def action_save(self):
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only sales managers can change the Contoso deal settings.")
            )
        # sudo: a sales manager may change these settings of their current
        # company, never one a client names.
        self.env.company.sudo().write(
            {
                company_field: self[name]
                for name, company_field in self._COMPANY_FIELDS.items()
            }
        )
        teams = self._contoso_company_teams()
        shared = self.share_deals_team_ids & teams
        (teams - shared).filtered("contoso_share_deals").contoso_share_deals = False
        (shared - teams.filtered("contoso_share_deals")).contoso_share_deals = True
        return {"type": "ir.actions.act_window_close"}
