from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount

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
    tech_check_consultant_ids = fields.Many2many(
        "res.users",
        string="Checked By",
        compute="_compute_tech_check_consultant_ids",
        search="_search_tech_check_consultant_ids",
        compute_sudo=True,
        # computed as superuser: read only by those who may read the checks
        # (the record rules that search it run as superuser)
        groups="sales_team.group_sale_salesman",
        help="The consultants who logged a tech check on the deal: what the "
        "consultants' record rules follow.",
    )
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
    tech_check_badge = fields.Selection(
        [("needed", "Needs tech check"), ("passed", "Tech check passed")],
        string="Tech Check Badge",
        compute="_compute_tech_check_badge",
        help="What the deal's kanban card shows: a deal of a team with tech "
        "checks, above the threshold, waiting for its check (none passed, no "
        "override) or with its check passed.",
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

    # The deals waiting for a check (My Tech Checks to Do, and the count the
    # list shows): open deals with no passed check and no override, by amount
    # (each company's threshold is a parameter, so no amount in the
    # predicate). It holds every column that screen's query and the
    # consultants' record rule read, so PostgreSQL counts the deals from the
    # index alone instead of reading the whole table (26 -> 13 ms for 4,746
    # deals to check among 20,000 in bench_load's database).
    _contoso_to_check_idx = models.Index(
        "(expected_revenue) INCLUDE (team_id, company_id, user_id, id)"
        " WHERE active IS TRUE AND type = 'opportunity' AND won_status = 'pending'"
        " AND tech_check_passed IS NOT TRUE AND tech_check_override_user_id IS NULL"
    )

    @api.depends("tech_check_ids")
    def _compute_tech_check_count(self):
        # the checks the form lists anyway (one query for all the deals read)
        for lead in self:
            lead.tech_check_count = len(lead.tech_check_ids)

    @api.depends("tech_check_ids.consultant_id")
    def _compute_tech_check_consultant_ids(self):
        # One assignment per distinct set of consultants: each assignment of a
        # many2many goes through the ORM's write machinery, and the consultants'
        # record rule computes this field for every page of deals they read
        # (80 assignments: 10 of the 25 ms of a page of deals to check).
        leads_by_consultants = defaultdict(list)
        for lead in self:
            leads_by_consultants[lead.tech_check_ids.consultant_id].append(lead.id)
        for consultants, lead_ids in leads_by_consultants.items():
            self.browse(lead_ids).tech_check_consultant_ids = consultants

    def _search_tech_check_consultant_ids(self, operator, value):
        """The deals with a check by one of these consultants, as an uncorrelated
        ``id IN (SELECT lead_id ...)``: the one2many path
        (``tech_check_ids.consultant_id``) is a correlated EXISTS under an OR in
        the consultants' record rules, which PostgreSQL costs once per deal (a
        plan estimated above ``jit_above_cost`` on 20,000 deals: 30 ms of JIT
        compilation on each of a consultant's deal searches). As for any
        many2many, ``False`` is a deal without checks, and the consultants may
        be searched by their own fields (``any``, "Checked By contains")."""
        # the ORM checks a field's groups when it reads its column; a search
        # method replaces the column, so its groups are checked here
        self._check_field_access(self._fields["tech_check_consultant_ids"], "read")
        if operator == "any":
            # the consultants as the user finds them (their rules and fields)
            users = self.env["res.users"]._search(value)
            return self._tech_checked_by(Domain("consultant_id", "in", users))
        if operator != "in":
            return NotImplemented
        consultant_ids = [user_id for user_id in value if user_id]
        domain = Domain.FALSE
        if consultant_ids:
            domain |= self._tech_checked_by(
                Domain("consultant_id", "in", consultant_ids)
            )
        if len(consultant_ids) < len(value):
            domain |= ~self._tech_checked_by(Domain.TRUE)
        return domain

    def _tech_checked_by(self, check_domain):
        """``id IN (SELECT lead_id FROM contoso_tech_check WHERE ...)``."""
        # sudo: every check of these consultants, whoever may read it; the
        # rules that call this are themselves the access check, and a user's
        # own search reads only the deals his rules let him read.
        checks = (
            self.env["contoso.tech.check"]
            .sudo()
            ._search(check_domain & Domain("lead_id", "!=", False), active_test=False)
        )
        return Domain(
            "id", "any!", checks.select(SQL.identifier(checks.table, "lead_id"))
        )

    @api.depends_context("uid")
    def _compute_contoso_user_can_sell(self):
        self.contoso_user_can_sell = not self._contoso_user_is_consultant_only()

    @api.depends("expected_revenue", "company_currency")
    def _compute_contoso_amount(self):
        # crm.lead keeps expected_revenue in its company currency already: the
        # amount is that figure, named so every rule reads the same one.
        for lead in self:
            lead.contoso_amount = lead.expected_revenue

    @api.model
    def _tech_check_strictest_threshold(self, companies=None):
        """The threshold of a deal without company: the lowest of all companies,
        in the current company's currency (the currency such a deal is counted
        in), so that no user picks a lenient company by switching to it."""
        companies = companies or self._tech_check_companies()
        currency = self.env.company.currency_id
        today = fields.Date.context_today(self)
        return min(
            company.currency_id._convert(
                company.contoso_tech_check_threshold, currency, company, today
            )
            for company in companies
        )

    @api.model
    def _tech_check_companies(self):
        # sudo: thresholds are not confidential, and every company must count.
        # One query for the handful of companies.
        return (
            self.env["res.company"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(
                [("id", "!=", 0)], ["currency_id", "contoso_tech_check_threshold"]
            )
        )

    def _tech_check_thresholds(self):
        """{deal id: threshold in the deal's currency}, the same few queries for
        any number of deals (keyed by id: a record's hash builds a frozenset,
        on each of a kanban page's cards)."""
        # per company once (a kanban page: two hundred deals, a company or two)
        companies = self.company_id
        # The threshold and the currency in one narrow query: the ORM would
        # read the company's whole row (a hundred columns, two milliseconds of
        # a stage move) for the threshold, where crm reads the currency alone.
        companies.fetch(["contoso_tech_check_threshold", "currency_id"])
        by_company = {
            company.id: company.contoso_tech_check_threshold for company in companies
        }
        company_ids = {lead.id: lead.company_id.id for lead in self}
        if not all(company_ids.values()):
            by_company[False] = self._tech_check_strictest_threshold()
        return {
            lead_id: by_company[company_id]
            for lead_id, company_id in company_ids.items()
        }

    def _tech_check_threshold(self):
        self.ensure_one()
        return self._tech_check_thresholds()[self.id]

    @api.depends("expected_revenue", "company_id")
    @api.depends_context("company")
    def _compute_tech_check_required(self):
        # The search's comparison (_search_tech_check_required), on the
        # figure contoso_amount is: both amounts are monetary values stored
        # rounded to the currency, so a plain comparison is the currency's,
        # without reading the currency (through contoso_amount's rounding in
        # cache: a query more on every deal form and kanban card).
        required = self._tech_check_above_threshold()
        required.tech_check_required = True
        (self - required).tech_check_required = False

    def _tech_check_above_threshold(self):
        """The deals worth more than their threshold (Needs Tech Check)."""
        thresholds = self._tech_check_thresholds()
        return self.filtered(lambda lead: lead.expected_revenue > thresholds[lead.id])

    @api.depends(
        "team_id.contoso_tech_check",
        "expected_revenue",
        "company_id",
        "tech_check_passed",
        "tech_check_override_user_id",
    )
    @api.depends_context("company")
    def _compute_tech_check_badge(self):
        # The card's two badges from one field, for a page of two hundred cards:
        # saved deals in one query over the deal, its team and its company (the
        # same comparison as the search's, _search_tech_check_required), not
        # five field reads a card; deals being edited, and deals without
        # company (judged against the strictest threshold, converted), in
        # Python.
        saved = [lead_id for lead_id in self._ids if isinstance(lead_id, int)]
        badges = defaultdict(list)
        by_python = [lead_id for lead_id in self._ids if not isinstance(lead_id, int)]
        if saved:
            self.flush_model(
                [
                    "team_id",
                    "company_id",
                    "expected_revenue",
                    "tech_check_passed",
                    "tech_check_override_user_id",
                ]
            )
            self.env["crm.team"].flush_model(["contoso_tech_check"])
            self.env["res.company"].flush_model(["contoso_tech_check_threshold"])
            rows = self.env.execute_query(
                SQL(
                    """
                    SELECT lead.id,
                           CASE
                               WHEN NOT coalesce(team.contoso_tech_check, FALSE)
                                   THEN 'none'
                               WHEN lead.company_id IS NULL THEN 'python'
                               WHEN coalesce(lead.expected_revenue, 0)
                                    > coalesce(company.contoso_tech_check_threshold, 0)
                                   THEN CASE
                                       WHEN lead.tech_check_passed THEN 'passed'
                                       WHEN lead.tech_check_override_user_id IS NULL
                                           THEN 'needed'
                                       ELSE 'none'
                                   END
                               ELSE 'none'
                           END
                      FROM crm_lead lead
                      LEFT JOIN crm_team team ON team.id = lead.team_id
                      LEFT JOIN res_company company ON company.id = lead.company_id
                     WHERE lead.id IN %s
                    """,
                    tuple(saved),
                )
            )
            # a deal deleted since it was read: no badge (the cards' other
            # fields say it is gone)
            badges[False].extend(set(saved).difference(row[0] for row in rows))
            for lead_id, badge in rows:
                if badge == "python":
                    by_python.append(lead_id)
                else:
                    badges[badge if badge != "none" else False].append(lead_id)
        if by_python:
            leads = self.browse(by_python)
            above = set(leads._tech_check_above_threshold()._ids)
            # sudo: a team's setting, as the related Team Uses Tech Checks reads it
            gated = set(leads.team_id.sudo().filtered("contoso_tech_check")._ids)
            for lead in leads:
                badge = False
                if lead.id in above and lead.team_id.id in gated:
                    if lead.tech_check_passed:
                        badge = "passed"
                    elif not lead.tech_check_override_user_id:
                        badge = "needed"
                badges[badge].append(lead.id)
        for badge, ids in badges.items():
            self.browse(ids).tech_check_badge = badge

    def _search_tech_check_required(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        wanted = (operator == "=") == value
        # One clause per company (a handful): the threshold is a company setting.
        # sudo: thresholds are not confidential, and all companies must be covered.
        companies = self._tech_check_companies()
        above = Domain.OR(
            Domain("company_id", "=", company.id)
            & Domain("expected_revenue", ">", company.contoso_tech_check_threshold)
            for company in companies
        ) | (
            Domain("company_id", "=", False)
            & Domain(
                "expected_revenue",
                ">",
                self._tech_check_strictest_threshold(companies),
            )
        )
        return above if wanted else ~above

    @api.depends(
        "expected_revenue",
        "user_id",
        "tech_check_ids.result",
        "tech_check_ids.amount_checked",
        "tech_check_ids.consultant_id",
    )
    def _compute_tech_check_passed(self):
        # Nobody checks their own deal: a check logged by the deal's current
        # salesperson does not count, whoever the salesperson was at the time.
        for lead in self:
            currency = lead.company_currency
            lead.tech_check_passed = any(
                check.result == "pass"
                and check.consultant_id != lead.user_id
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

    def _tech_check_pending(self):
        """Deals of a team with tech checks, above the threshold, not cleared.
        Leads count as deals: a lead can be won too."""
        return self.filtered(
            lambda lead: (
                lead.team_id.contoso_tech_check
                and lead.tech_check_required
                and not lead._tech_check_cleared()
            )
        )

    def _tech_check_blocked(self):
        """Deals sitting where they may not be without a cleared tech check."""
        return self.filtered(
            lambda lead: (
                lead.stage_id.is_won or lead.stage_id.contoso_requires_tech_check
            )
        )._tech_check_pending()

    @api.model
    def _tech_check_raise_blocked_by_setting(self, domain, setting):
        """Refuse a change of setting (stage, team, threshold) that would leave
        deals in a gated stage without a cleared check, naming them."""
        # sudo: the rule holds for every deal, also those the manager cannot
        # open; only their names and amounts are shown.
        blocked = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                Domain(domain)
                & Domain("team_id.contoso_tech_check", "=", True)
                & (
                    Domain("stage_id.is_won", "=", True)
                    | Domain("stage_id.contoso_requires_tech_check", "=", True)
                )
                & Domain("tech_check_required", "=", True)
                & Domain("tech_check_passed", "=", False)
            )
            ._tech_check_blocked()
        )
        if not blocked:
            return
        amounts = [
            format_amount(self.env, lead.contoso_amount, lead.company_currency)
            for lead in blocked[:10]
        ]
        names = ", ".join(
            f"'{lead.name}' ({amount})"
            for lead, amount in zip(blocked[:10], amounts, strict=True)
        )
        if len(blocked) > 10:
            names = self.env._(
                "%(names)s and %(count)s more", names=names, count=len(blocked) - 10
            )
        raise UserError(
            self.env._(
                "Changing %(setting)s would leave these deals in a stage they may "
                "not be in without a passed tech check: %(deals)s. Have a technical "
                "consultant log a check or a sales manager override it, or move "
                "the deals out of the stage, then change the setting again.",
                setting=setting,
                deals=names,
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
        if blocked:
            raise ValidationError(
                blocked[0]._tech_check_message(blocked[0].stage_id.name)
            )

    @api.constrains("expected_revenue")
    def _check_confirmed_order_tech_check(self):
        # A confirmed order of a deal that needs a check is a manager's decision
        # (sale.order._check_deal_tech_check). That holds when the amount moves
        # after the confirmation too: sale_crm raises the deal to its confirmed
        # order's amount, beyond what the check verified. Only on the amount, so
        # a stage change costs no query more.
        if self.env.user.has_group(MANAGER_GROUP):
            return
        for lead in self._tech_check_pending():
            order = lead.order_ids.filtered(lambda o: o.state == "sale")[:1]
            if order:
                raise ValidationError(
                    lead._tech_check_message(
                        self.env._("its order %(order)s is confirmed", order=order.name)
                    )
                )

    def _tech_check_message(self, step):
        """The gate's refusal: which deal, its amount, the threshold, the fix."""
        self.ensure_one()
        return self.env._(
            "Deal '%(deal)s' (%(amount)s) needs a passed tech check before "
            "%(stage)s: deals above %(threshold)s must be verified by a "
            "technical consultant. Ask a technical consultant to log one.",
            deal=self.name,
            amount=format_amount(self.env, self.contoso_amount, self.company_currency),
            stage=step,
            threshold=format_amount(
                self.env, self._tech_check_threshold(), self.company_currency
            ),
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
        leads.browse(
            lead_id
            for lead_id, vals in zip(leads._ids, vals_list, strict=True)
            if vals.get("expected_revenue")
        )._contoso_round_expected_revenue()
        # On the deals as created (a stage may come from the client's defaults
        # or the team): a consultant does not open a deal already won.
        won = leads.filtered(lambda lead: lead.stage_id.is_won)
        won._contoso_check_consultant_change(["stage_id"])
        leads.filtered("tech_check_override_date")._log_override()
        return leads

    def _contoso_round_expected_revenue(self):
        """Store the amounts given at creation rounded to the deal's currency.
        Odoo rounds a monetary value it writes, but not one it creates (no
        record to find the currency on yet): a deal created at 20,000.004 is
        shown and cached at 20,000.00 but stored as given, so the threshold
        search, the card's badge and every later read would judge 20,000.004.
        The amount as it is cached and shown is written back."""
        if not self:
            return
        self.flush_recordset(["expected_revenue"])
        rows = self.env.execute_query(
            SQL(
                "SELECT id, expected_revenue FROM crm_lead "
                "WHERE id IN %s AND expected_revenue IS NOT NULL",
                tuple(self.ids),
            )
        )
        for lead_id, stored in rows:
            lead = self.browse(lead_id)
            currency = lead.company_currency or self.env.company.currency_id
            rounded = currency.round(stored)
            if rounded != stored:
                lead.invalidate_recordset(["expected_revenue"])
                lead.expected_revenue = rounded

    def write(self, vals):
        self._contoso_check_consultant_change(vals)
        vals = self._check_override_vals(vals)
        # Odoo recomputes team and company from the salesperson inside this
        # write: compare the deals before and after it, not the keys of vals.
        pending = (
            self.browse()
            if self.env.su or self.env.user.has_group(MANAGER_GROUP)
            else self._tech_check_pending()
        )
        # The threshold each deal answered to, to judge its new amount by it.
        thresholds = pending._tech_check_thresholds()
        before = {
            lead: (lead.team_id, lead.company_id, thresholds[lead.id])
            for lead in pending
        }
        result = super().write(vals)
        pending._check_team_change(before)
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

    def _check_team_change(self, before):
        """A deal that needs a check may not leave it behind by moving to a team
        without tech checks or to a company with a higher threshold; a manager
        may move it."""
        # sudo: the write may have handed the deal to a salesperson whose deals
        # the user cannot read; the rule needs its team, company and amount.
        for lead in self.sudo():
            team, company, threshold = before[lead]
            if not lead.team_id.contoso_tech_check and lead.tech_check_required:
                raise UserError(
                    self.env._(
                        "Deal '%(deal)s' needs a tech check in team %(team)s: it "
                        "cannot move to %(new_team)s, which has none, before a check "
                        "passes. Ask a sales manager.",
                        deal=lead.name,
                        team=team.name,
                        new_team=lead.team_id.name or self.env._("no team"),
                    )
                )
            # Judged at its new amount against the threshold it left: changing
            # the amount in the same write does not make the move lenient.
            still_needed = (
                lead.company_currency.compare_amounts(lead.contoso_amount, threshold)
                > 0
            )
            if still_needed and not lead.tech_check_required:
                raise UserError(
                    self.env._(
                        "Deal '%(deal)s' needs a tech check in company %(company)s: "
                        "it cannot move to %(new_company)s, whose threshold is "
                        "higher, before a check passes. Ask a sales manager.",
                        deal=lead.name,
                        company=company.name or self.env._("no company"),
                        new_company=lead.company_id.name or self.env._("no company"),
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

    @api.ondelete(at_uninstall=False)
    def _unlink_except_passed_tech_check(self):
        # sudo: all of the deals' checks count, whoever may read them.
        passed = self.sudo().tech_check_ids.filtered(
            lambda check: check.result == "pass"
        )
        if passed:
            raise UserError(
                self.env._(
                    "Deal '%(deal)s' cannot be deleted: it holds a passed tech "
                    "check, the record of the verification. Mark it lost or "
                    "archive it instead.",
                    deal=passed[0].lead_id.name,
                )
            )

    def unlink(self):
        # Failed checks go with their deal; lead_id is ondelete="restrict" so
        # that no cascade takes a passed one (refused just above).
        # sudo: salespeople do not delete checks; the deals' own unlink still
        # checks the user's rights, else everything rolls back.
        self.sudo().tech_check_ids.filtered(
            lambda check: check.result != "pass"
        ).unlink()
        return super().unlink()

    def _merge_opportunity(
        self, user_id=False, team_id=False, auto_unlink=True, max_length=5
    ):
        # Merging a deal that needs a check into a deal of a team without tech
        # checks would take it out of the gate: a manager's decision, as for a
        # move (the merge wizard and the conversion's merge both end here).
        pending = (
            self.browse()
            if self.env.su or self.env.user.has_group(MANAGER_GROUP)
            else self._tech_check_pending()
        )
        before = [(lead.name, lead.team_id.name) for lead in pending]
        head = super()._merge_opportunity(
            user_id=user_id,
            team_id=team_id,
            auto_unlink=auto_unlink,
            max_length=max_length,
        )
        # sudo: the deal may now be another salesperson's; only its team counts.
        if before and not head.sudo().team_id.contoso_tech_check:
            raise UserError(
                self.env._(
                    "Deal '%(deal)s' needs a tech check in team %(team)s: it "
                    "cannot move to %(new_team)s, which has none, before a check "
                    "passes. Ask a sales manager.",
                    deal=before[0][0],
                    team=before[0][1],
                    new_team=head.sudo().team_id.name or self.env._("no team"),
                )
            )
        return head

    def _merge_dependences(self, opportunities):
        # The merge deletes the other deals as superuser: their checks, passed
        # or not, move to the deal that stays, like their messages. The gate
        # then judges that deal as merged.
        result = super()._merge_dependences(opportunities)
        # sudo: checks are moved by the merge, not edited by the user (they are
        # read-only to salespeople).
        opportunities.sudo().tech_check_ids.write({"lead_id": self.id})
        return result

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
