from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import format_amount

MANAGER_GROUP = "contoso_sales.group_sales_manager"
SALESPERSON_GROUP = "contoso_sales.group_salesperson"
CONSULTANT_GROUP = "contoso_sales.group_technical_consultant"


class CrmLead(models.Model):
    """The tech-check gate: a deal above its company's threshold needs a passed
    check (or a manager's audited override) to be won or enter a gated stage."""

    _inherit = "crm.lead"

    tech_check_ids = fields.One2many(
        "contoso.tech.check", "lead_id", string="Tech Checks", copy=False
    )
    tech_check_count = fields.Integer(compute="_compute_tech_check_count")
    contoso_user_can_sell = fields.Boolean(
        string="Current User Sells",
        compute="_compute_contoso_user_can_sell",
        help="False for a technical consultant who is not also a salesperson: the "
        "form then hides what the server refuses him (won, lost, quotations).",
    )
    contoso_amount = fields.Monetary(
        string="Deal Amount",
        currency_field="company_currency",
        compute="_compute_contoso_amount",
        help="The deal's expected revenue in the company currency: the amount the "
        "tech check threshold is compared with.",
    )
    tech_check_required = fields.Boolean(
        string="Needs Tech Check",
        compute="_compute_tech_check_required",
        search="_search_tech_check_required",
        help="The deal is worth more than the company's tech check threshold.",
    )
    tech_check_team = fields.Boolean(
        related="team_id.contoso_tech_check",
        string="Team Uses Tech Checks",
        help="Deals of this team above the threshold need a passed tech check.",
    )
    tech_check_passed = fields.Boolean(
        string="Tech Check Passed",
        compute="_compute_tech_check_passed",
        store=True,
        help="A passed tech check exists for the deal's current amount.",
    )
    tech_check_override_reason = fields.Text(
        string="Tech Check Override", readonly=True, copy=False, tracking=True
    )
    tech_check_override_user_id = fields.Many2one(
        "res.users", string="Overridden By", readonly=True, copy=False
    )
    tech_check_override_date = fields.Datetime(
        string="Overridden On", readonly=True, copy=False
    )
    tech_check_override_amount = fields.Monetary(
        string="Overridden Amount",
        currency_field="company_currency",
        compute="_compute_tech_check_override_amount",
        store=True,
        copy=False,
        help="The deal amount the override was given for: it only holds while the "
        "deal keeps this amount.",
    )

    @api.depends("tech_check_ids")
    def _compute_tech_check_count(self):
        counts = dict(
            self.env["contoso.tech.check"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.tech_check_count = counts.get(lead, 0)

    @api.depends_context("uid")
    def _compute_contoso_user_can_sell(self):
        self.contoso_user_can_sell = not self._contoso_user_is_consultant_only()

    @api.depends("expected_revenue", "company_currency")
    def _compute_contoso_amount(self):
        # crm.lead keeps expected_revenue in its company currency already: the
        # amount is that figure, named so every rule reads the same one.
        for lead in self:
            lead.contoso_amount = lead.expected_revenue

    def _tech_check_threshold(self):
        return (self.company_id or self.env.company).contoso_tech_check_threshold

    @api.depends("expected_revenue", "company_id")
    def _compute_tech_check_required(self):
        for lead in self:
            lead.tech_check_required = (
                lead.company_currency.compare_amounts(
                    lead.contoso_amount, lead._tech_check_threshold()
                )
                > 0
            )

    def _search_tech_check_required(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        wanted = (operator == "=") == value
        # One clause per company (a handful): the threshold is a company setting.
        # sudo: thresholds are not confidential, and all companies must be covered.
        above = Domain.OR(
            Domain(
                "company_id",
                "in",
                [company.id, *([False] * (company == self.env.company))],
            )
            & Domain("expected_revenue", ">", company.contoso_tech_check_threshold)
            for company in self.env["res.company"].sudo().search([])
        )
        return above if wanted else ~above

    @api.depends(
        "expected_revenue", "tech_check_ids.result", "tech_check_ids.amount_checked"
    )
    def _compute_tech_check_passed(self):
        for lead in self:
            currency = lead.company_currency
            lead.tech_check_passed = any(
                check.result == "pass"
                and not currency.compare_amounts(
                    check.amount_checked, lead.contoso_amount
                )
                for check in lead.tech_check_ids
            )

    @api.depends("tech_check_override_date")
    def _compute_tech_check_override_amount(self):
        # Depends on the date only: the amount is frozen when the override is given.
        for lead in self:
            lead.tech_check_override_amount = (
                lead.contoso_amount if lead.tech_check_override_date else 0.0
            )

    def _tech_check_cleared(self):
        """Passed, or overridden by a manager for this very amount."""
        self.ensure_one()
        return self.tech_check_passed or (
            self.tech_check_override_user_id
            and not self.company_currency.compare_amounts(
                self.tech_check_override_amount, self.contoso_amount
            )
        )

    def _tech_check_blocked(self):
        """Deals sitting where they may not be without a cleared tech check."""
        return self.filtered(
            lambda lead: (
                lead.type == "opportunity"
                and lead.team_id.contoso_tech_check
                and (lead.stage_id.is_won or lead.stage_id.contoso_requires_tech_check)
                and lead.tech_check_required
                and not lead._tech_check_cleared()
            )
        )

    @api.constrains(
        "stage_id",
        "expected_revenue",
        "team_id",
        "type",
        "company_id",
        "active",
        "tech_check_passed",
    )
    def _check_tech_check_gate(self):
        # A constraint, not a check in write(): it also runs when the amount is
        # recomputed (product lines changed) or a check's result changes.
        blocked = self._tech_check_blocked()
        if not blocked:
            return
        lead = blocked[0]
        raise ValidationError(
            self.env._(
                "Deal '%(deal)s' (%(amount)s) needs a passed tech check before "
                "%(stage)s: deals above %(threshold)s must be verified by a "
                "technical consultant. Ask a technical consultant to log one.",
                deal=lead.name,
                amount=format_amount(
                    self.env, lead.contoso_amount, lead.company_currency
                ),
                stage=lead.stage_id.name,
                threshold=format_amount(
                    self.env, lead._tech_check_threshold(), lead.company_currency
                ),
            )
        )

    # Set by the server when a manager writes an override reason, never by a client.
    _OVERRIDE_STAMPS = frozenset(
        {
            "tech_check_override_user_id",
            "tech_check_override_date",
            "tech_check_override_amount",
        }
    )

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._check_override_vals(vals) for vals in vals_list]
        leads = super().create(vals_list)
        leads.filtered("tech_check_override_date")._log_override()
        return leads

    def write(self, vals):
        self._contoso_check_consultant_change(vals)
        vals = self._check_override_vals(vals)
        if "team_id" in vals:
            self._check_team_change(vals["team_id"])
        result = super().write(vals)
        if vals.get("tech_check_override_reason"):
            self._log_override()
        return result

    # A technical consultant verifies deals; selling them (amount, stage, won or
    # lost) stays with the salesperson.
    _CONSULTANT_LOCKED = (
        "stage_id",
        "expected_revenue",
        "expected_revenue_manual",
        "recurring_revenue",
        "recurring_plan",
        "probability",
        "deal_line_ids",
        "active",
    )

    def _contoso_user_is_consultant_only(self):
        user = self.env.user
        return user.has_group(CONSULTANT_GROUP) and not user.has_group(
            SALESPERSON_GROUP
        )

    def _contoso_check_consultant_change(self, fnames):
        """Refuse a change of amount or stage by a technical consultant who is
        not also a salesperson; this is the one place that rule lives."""
        if self.env.su or not self:
            return
        locked = [fname for fname in self._CONSULTANT_LOCKED if fname in fnames]
        if not locked or not self._contoso_user_is_consultant_only():
            return
        user = self.env.user
        raise AccessError(
            self.env._(
                "%(user)s is a technical consultant and cannot change the "
                "%(field)s of deal '%(deal)s': amounts and stages are the "
                "salesperson's. Ask %(owner)s or a sales manager.",
                user=user.name,
                field=self._fields[locked[0]]._description_string(self.env),
                deal=self[0].name,
                owner=self[0].user_id.name or self.env._("its salesperson"),
            )
        )

    def _check_team_change(self, team_id):
        """Moving a deal to a team without tech checks must not dodge one."""
        new_team = self.env["crm.team"].browse(team_id)
        if new_team.contoso_tech_check or self.env.user.has_group(MANAGER_GROUP):
            return
        dodging = self.filtered(
            lambda lead: (
                lead.team_id.contoso_tech_check
                and lead.tech_check_required
                and not lead._tech_check_cleared()
            )
        )
        if dodging:
            raise UserError(
                self.env._(
                    "Deal '%(deal)s' needs a tech check in team %(team)s: it cannot "
                    "move to %(new_team)s, which has none, before a check passes. "
                    "Ask a sales manager.",
                    deal=dodging[0].name,
                    team=dodging[0].team_id.name,
                    new_team=new_team.name or self.env._("no team"),
                )
            )

    def _check_override_vals(self, vals):
        """Refuse override values a client may not send; return the values with
        the server's stamps (who, when) added to a manager's override reason."""
        if self._OVERRIDE_STAMPS & set(vals):
            raise AccessError(
                self.env._(
                    "Who overrode a tech check, when and for which amount is "
                    "recorded by the server: write only the reason."
                )
            )
        if "tech_check_override_reason" not in vals:
            return vals
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only sales managers can override a tech check.")
            )
        if not (vals["tech_check_override_reason"] or "").strip():
            raise UserError(
                self.env._("A tech check override needs a reason: say why.")
            )
        return {
            **vals,
            "tech_check_override_user_id": self.env.uid,
            "tech_check_override_date": fields.Datetime.now(),
        }

    def _log_override(self):
        for lead in self:
            lead.message_post(
                body=self.env._(
                    "Tech check overridden by %(user)s for %(amount)s. "
                    "Reason: %(reason)s",
                    user=self.env.user.name,
                    amount=format_amount(
                        self.env, lead.contoso_amount, lead.company_currency
                    ),
                    reason=lead.tech_check_override_reason,
                )
            )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if default and "stage_id" in default:
            return vals_list
        for lead, vals in zip(self, vals_list, strict=True):
            # A copy carries no tech check: it starts over in the pipeline
            # rather than in a stage it could not enter.
            if lead.stage_id.is_won or lead.stage_id.contoso_requires_tech_check:
                vals["stage_id"] = lead._stage_find(
                    team_id=lead.team_id.id, domain=[("is_won", "=", False)]
                ).id
        return vals_list

    def action_contoso_tech_check_override(self):
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only sales managers can override a tech check.")
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Tech Check"),
            "res_model": "contoso.tech.check.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    def action_contoso_log_tech_check(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log Tech Check"),
            "res_model": "contoso.tech.check",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_id": self.id},
        }

    def action_contoso_view_tech_checks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "contoso_sales.contoso_tech_check_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        return action
