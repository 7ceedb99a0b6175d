from odoo import api, fields, models
from odoo.exceptions import AccessError

MANAGER_GROUP = "contoso_sales.group_sales_manager"


class ResCompany(models.Model):
    _inherit = "res.company"

    contoso_tech_check_threshold = fields.Monetary(
        string="Tech Check Threshold",
        currency_field="currency_id",
        default=20000.0,
        help="Deals worth more than this (in the company currency) need a passed "
        "tech check before they can enter Close or be marked won.",
    )
    contoso_nurture_auto_enrol = fields.Boolean(
        string="Enrol Corporate Deals in Nurturing",
        default=True,
        help="Leads and deals created or assigned for a corporate customer start "
        "the nurturing cadence by themselves.",
    )
    contoso_nurture_auto_send = fields.Boolean(
        string="Send Nurturing Emails Automatically",
        default=False,
        help="A scheduled action sends the emails of nurturing email steps on "
        "their due date, instead of the salesperson sending them.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # A new company may lower the strictest threshold, the one deals
        # without company are judged against.
        self.env["crm.lead"].invalidate_model(
            ["tech_check_required", "tech_check_badge"]
        )
        self.env["crm.lead"]._tech_check_raise_blocked_by_setting(
            [("company_id", "=", False)],
            self.env._(
                "the tech check threshold of %(company)s",
                company=", ".join(companies.mapped("name")),
            ),
        )
        return companies

    def write(self, vals):
        changed = self.filtered(
            lambda company: (
                "contoso_tech_check_threshold" in vals
                and company.currency_id.compare_amounts(
                    company.contoso_tech_check_threshold,
                    vals["contoso_tech_check_threshold"],
                )
            )
        )
        if not changed:
            return super().write(vals)
        # The threshold is the Contoso sales managers' decision (the Deal Settings
        # wizard writes it as superuser after checking that role).
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._(
                    "%(user)s cannot change the tech check threshold of %(company)s: "
                    "ask a Contoso sales manager.",
                    user=self.env.user.name,
                    company=", ".join(changed.mapped("name")),
                )
            )
        result = super().write(vals)
        # Whether a deal needs a check is computed from the threshold, unstored.
        self.env["crm.lead"].invalidate_model(
            ["tech_check_required", "tech_check_badge"]
        )
        # A deal without company is judged against the lowest threshold of all.
        self.env["crm.lead"]._tech_check_raise_blocked_by_setting(
            [("company_id", "in", [*changed.ids, False])],
            self.env._(
                "the tech check threshold of %(company)s",
                company=", ".join(changed.mapped("name")),
            ),
        )
        return result
