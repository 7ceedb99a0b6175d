from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

CONSULTANT_GROUP = "contoso_sales.group_technical_consultant"
MANAGER_GROUP = "contoso_sales.group_sales_manager"


class ContosoTechCheck(models.Model):
    _name = "contoso.tech.check"
    _description = "Deal Tech Check"
    _inherit = ["mail.thread"]
    _order = "check_date desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Deal",
        required=True,
        index=True,
        # Never deleted with its deal: a deal holding a passed check cannot be
        # deleted, and a merge moves the checks first.
        ondelete="restrict",
        tracking=True,
    )
    consultant_id = fields.Many2one(
        "res.users",
        string="Technical Consultant",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain=lambda self: [
            ("all_group_ids", "in", self.env.ref(CONSULTANT_GROUP).id)
        ],
    )
    check_date = fields.Date(
        string="Check Date",
        required=True,
        tracking=True,
        default=fields.Date.context_today,
    )
    details = fields.Html(
        string="Details",
        required=True,
        help="What was verified: site survey, equipment list, installation plan...",
    )
    result = fields.Selection(
        [("pass", "Passed"), ("fail", "Failed")],
        string="Result",
        required=True,
        tracking=True,
    )
    company_id = fields.Many2one(related="lead_id.company_id", store=True)
    currency_id = fields.Many2one(related="lead_id.company_currency")
    amount_checked = fields.Monetary(
        string="Amount Checked",
        readonly=True,
        tracking=True,
        help="The deal amount when the check was logged. The check only counts while "
        "the deal keeps this amount.",
    )
    salesperson_id = fields.Many2one(related="lead_id.user_id", string="Salesperson")

    @api.constrains("consultant_id")
    def _check_consultant_role(self):
        for check in self:
            if not check.consultant_id.has_group(CONSULTANT_GROUP):
                raise ValidationError(
                    self.env._(
                        "%(user)s is not a technical consultant: only members of "
                        "the Technical Consultant group can be named on a tech "
                        "check.",
                        user=check.consultant_id.name,
                    )
                )

    # On the consultant only: a merge may move a check to a deal of its
    # consultant; the gate then does not count it (crm.lead.tech_check_passed).
    @api.constrains("consultant_id")
    def _check_not_own_deal(self):
        for check in self:
            if check.consultant_id == check.lead_id.user_id:
                raise ValidationError(
                    self.env._(
                        "%(user)s is the salesperson of deal '%(deal)s' and cannot "
                        "check it: ask another technical consultant.",
                        user=check.consultant_id.name,
                        deal=check.lead_id.name,
                    )
                )

    @api.constrains("check_date")
    def _check_date_not_future(self):
        today = fields.Date.context_today(self)
        for check in self:
            if check.check_date > today:
                raise ValidationError(
                    self.env._(
                        "The tech check of deal '%(deal)s' is dated %(date)s, in the "
                        "future: log it on the day it was done.",
                        deal=check.lead_id.name,
                        date=check.check_date,
                    )
                )

    def _is_manager(self):
        return self.env.is_superuser() or self.env.user.has_group(MANAGER_GROUP)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._is_manager():
            for vals in vals_list:
                if vals.get("consultant_id", self.env.uid) != self.env.uid:
                    raise AccessError(
                        self.env._(
                            "Only sales managers can log a tech check on behalf of "
                            "another consultant."
                        )
                    )
        leads = self.env["crm.lead"].browse({v.get("lead_id") for v in vals_list})
        amounts = {lead.id: lead.contoso_amount for lead in leads.exists()}
        for vals in vals_list:
            # The server, not the client, records what amount was verified.
            vals["amount_checked"] = amounts.get(vals.get("lead_id"), 0.0)
        return super().create(vals_list)

    def write(self, vals):
        if "amount_checked" in vals:
            raise UserError(
                self.env._(
                    "The checked amount is recorded by the server when the check is "
                    "logged; log a new tech check for a new amount."
                )
            )
        if not self._is_manager():
            passed = self.filtered(lambda c: c.result == "pass")
            if passed:
                raise AccessError(
                    self.env._(
                        "The passed tech check of deal '%(deal)s' is read-only: only "
                        "a sales manager can change it.",
                        deal=passed[0].lead_id.name,
                    )
                )
            others = self.filtered(lambda c: c.consultant_id != self.env.user)
            if others:
                raise AccessError(
                    self.env._(
                        "The tech check of deal '%(deal)s' was logged by %(user)s: "
                        "only they or a sales manager can change it.",
                        deal=others[0].lead_id.name,
                        user=others[0].consultant_id.name,
                    )
                )
            if "consultant_id" in vals and vals["consultant_id"] != self.env.uid:
                raise AccessError(
                    self.env._("Only sales managers can reassign a tech check.")
                )
        # Only the server moves a check: a merge, as superuser, to the deal
        # that stays (crm.lead._merge_dependences).
        if "lead_id" in vals and not self.env.su:
            raise UserError(self.env._("A tech check cannot be moved to another deal."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_passed(self):
        passed = self.filtered(lambda c: c.result == "pass")
        if passed:
            raise UserError(
                self.env._(
                    "The passed tech check of deal '%(deal)s' cannot be deleted: it "
                    "is the record of the verification.",
                    deal=passed[0].lead_id.name,
                )
            )
