from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.tools import format_amount

MANAGER_GROUP = "contoso_sales.group_sales_manager"
SALESPERSON_GROUP = "contoso_sales.group_salesperson"
CONSULTANT_GROUP = "contoso_sales.group_technical_consultant"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # Contoso calls opportunities Deals: labels only, technical names stay.
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

    @api.model
    def _contoso_stage_domain(self, team_ids):
        """Stages a pipeline shows: a team set to use only its own stages
        (Contoso's Qualify → Close) shows those; other teams keep Odoo's rule,
        the shared stages plus their own."""
        team_ids = [tid for tid in team_ids if tid]
        # sudo: which teams keep to their own stages is not confidential.
        exclusive = (
            self.env["crm.team"].sudo().browse(team_ids).filtered("contoso_own_stages")
        )
        if exclusive:
            return Domain("team_ids", "in", exclusive.ids)
        if team_ids:
            return Domain("team_ids", "=", False) | Domain("team_ids", "in", team_ids)
        return Domain("team_ids", "=", False)

    contoso_stage_ids = fields.Many2many(
        "crm.stage",
        string="Pipeline Stages",
        compute="_compute_contoso_stage_ids",
        help="The stages of the deal's pipeline: its team's own stages when the team "
        "has some, else Odoo's shared ones.",
    )

    @api.depends("team_id")
    def _compute_contoso_stage_ids(self):
        stages_by_team = {}
        for lead in self:
            team = lead.team_id
            if team not in stages_by_team:
                stages_by_team[team] = self.env["crm.stage"].search(
                    self._contoso_stage_domain(team.ids)
                )
            lead.contoso_stage_ids = stages_by_team[team]

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        team_ids = []
        if self.env.context.get("show_user_team_stages"):
            team_ids += self.env.user.crm_team_ids.ids
        team_ids.append(self.env.context.get("default_team_id"))
        search_domain = Domain("id", "in", stages.ids) | self._contoso_stage_domain(
            team_ids
        )
        # sudo: stage names are not confidential, Odoo's own method does the same
        return stages.browse(stages.sudo()._search(search_domain, order=stages._order))

    def _stage_find(self, team_id=False, domain=None, order="sequence, id", limit=1):
        team_ids = {team_id} | set(self.team_id.ids)
        search_domain = self._contoso_stage_domain(list(team_ids))
        if domain:
            search_domain &= Domain(domain)
        return self.env["crm.stage"].search(search_domain, order=order, limit=limit)

    # -- Deal product lines and quotation iterations ---------------------------

    deal_line_ids = fields.One2many(
        "contoso.deal.line",
        "lead_id",
        string="Products",
        copy=True,
        help="Products the customer is interested in; the quotation starts from them.",
    )
    deal_lines_total = fields.Monetary(
        string="Products Total",
        compute="_compute_deal_lines_total",
        store=True,
        currency_field="company_currency",
        help="Sum of the product lines' subtotals, before taxes.",
    )
    # Follows the product lines; a stored compute so that every path changing a
    # line (form, RPC on contoso.deal.line, unlink) updates it, in batch.
    # default=None: crm's default 0.0 would count as a given value on create
    # and stop the computation.
    expected_revenue = fields.Monetary(
        compute="_compute_expected_revenue",
        store=True,
        readonly=False,
        copy=True,
        default=None,
    )
    expected_revenue_manual = fields.Boolean(
        string="Expected Revenue Set by Hand",
        tracking=True,
        help="Set when someone enters an expected revenue different from the "
        "product lines' total; the revenue then stops following the lines "
        "until 'Follow product lines' is clicked.",
    )
    contoso_quote_iteration_count = fields.Integer(
        string="Quotation Iterations",
        compute="_compute_contoso_quote_iterations",
        help="Quotations made for this deal, in any state but cancelled.",
    )
    contoso_latest_quote_id = fields.Many2one(
        "sale.order",
        string="Latest Quotation",
        compute="_compute_contoso_quote_iterations",
    )
    contoso_latest_quote_currency_id = fields.Many2one(
        "res.currency",
        string="Latest Quotation Currency",
        compute="_compute_contoso_quote_iterations",
    )
    contoso_latest_quote_amount = fields.Monetary(
        string="Latest Quotation Amount",
        compute="_compute_contoso_quote_iterations",
        currency_field="contoso_latest_quote_currency_id",
        help="Total, taxes included, of the most recent quotation.",
    )

    @api.depends("deal_line_ids.price_subtotal")
    def _compute_deal_lines_total(self):
        for lead in self:
            lead.deal_lines_total = sum(lead.deal_line_ids.mapped("price_subtotal"))

    @api.depends("deal_lines_total", "expected_revenue_manual")
    def _compute_expected_revenue(self):
        for lead in self:
            if lead.deal_line_ids and not lead.expected_revenue_manual:
                lead.expected_revenue = lead.deal_lines_total
            elif not lead.expected_revenue:
                # no NULL for new deals without lines (crm's default was 0.0)
                lead.expected_revenue = 0.0

    @api.depends("order_ids.state", "order_ids.amount_total")
    def _compute_contoso_quote_iterations(self):
        origins = self._origin.filtered("id")
        stats = {}
        if origins:
            stats = {
                lead.id: (count, latest_id)
                for lead, count, latest_id in self.env["sale.order"]._read_group(
                    [("opportunity_id", "in", origins.ids), ("state", "!=", "cancel")],
                    ["opportunity_id"],
                    ["__count", "id:max"],
                )
            }
        # one recordset for all deals, so amounts and currencies are read together
        latest_orders = {
            order.id: order
            for order in self.env["sale.order"].browse(
                [latest_id for _count, latest_id in stats.values()]
            )
        }
        no_order = self.env["sale.order"]
        for lead in self:
            count, latest_id = stats.get(lead._origin.id, (0, False))
            latest = latest_orders.get(latest_id, no_order)
            lead.contoso_quote_iteration_count = count
            lead.contoso_latest_quote_id = latest
            lead.contoso_latest_quote_currency_id = latest.currency_id
            lead.contoso_latest_quote_amount = latest.amount_total

    @api.onchange("expected_revenue")
    def _onchange_expected_revenue_manual(self):
        self._contoso_flag_manual_revenue()

    def _contoso_flag_manual_revenue(self):
        """An expected revenue entered by hand that differs from the lines'
        total stops the revenue from following the lines."""
        manual = self.filtered(
            lambda lead: (
                lead.deal_line_ids
                and not lead.expected_revenue_manual
                and lead.company_currency.compare_amounts(
                    lead.expected_revenue, lead.deal_lines_total
                )
            )
        )
        if manual:
            manual.expected_revenue_manual = True

    def action_follow_deal_lines(self):
        self.write({"expected_revenue_manual": False})
        return True

    def action_view_sale_quotation(self):
        action = super().action_view_sale_quotation()
        # every iteration stays visible, sent and confirmed ones included
        action["context"].pop("search_default_draft", None)
        return action

    def _get_action_view_sale_quotation_domain(self):
        return [("state", "!=", "cancel")]

    def _prepare_opportunity_quotation_context(self):
        context = super()._prepare_opportunity_quotation_context()
        if self.deal_line_ids:
            context["default_order_line"] = [
                Command.create(vals) for vals in self._contoso_quotation_line_values()
            ]
        return context

    def _contoso_quotation_line_values(self):
        self.ensure_one()
        # Without the discounts group the quotation form has no discount column,
        # so a discount sent apart would be dropped: it goes into the price.
        keep_discount = self.env.user.has_group("sale.group_discount_per_so_line")
        return [
            {
                "sequence": line.sequence,
                "product_id": line.product_id.id,
                "name": line.name,
                "product_uom_qty": line.product_uom_qty,
                "price_unit": line.price_unit
                if keep_discount
                else line.price_unit * (1 - line.discount / 100.0),
                "discount": line.discount if keep_discount else 0.0,
            }
            for line in self.deal_line_ids
        ]

    def _merge_get_fields_specific(self):
        fields_info = super()._merge_get_fields_specific()
        # the merged deal keeps every product line instead of cascading them away
        fields_info["deal_line_ids"] = lambda fname, leads: [
            Command.link(line.id) for line in leads.deal_line_ids
        ]
        return fields_info

    # -- Tech check ----------------------------------------------------------

    tech_check_ids = fields.One2many(
        "contoso.tech.check", "lead_id", string="Tech Checks", copy=False
    )
    tech_check_count = fields.Integer(compute="_compute_tech_check_count")
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
        leads._contoso_nurture_auto_enrol()
        leads.filtered("tech_check_override_date")._log_override()
        leads.browse(
            [
                lead.id
                for lead, vals in zip(leads, vals_list, strict=True)
                if "expected_revenue" in vals and "expected_revenue_manual" not in vals
            ]
        )._contoso_flag_manual_revenue()
        return leads

    def write(self, vals):
        self._contoso_check_consultant_change(vals)
        vals = self._check_override_vals(vals)
        if "team_id" in vals:
            self._check_team_change(vals["team_id"])
        result = super().write(vals)
        if {"stage_id", "active"} & set(vals):
            self._contoso_nurture_stop_closed()
        if {"partner_id", "user_id"} & set(vals):
            self._contoso_nurture_auto_enrol()
        if vals.get("tech_check_override_reason"):
            self._log_override()
        if "expected_revenue" in vals and "expected_revenue_manual" not in vals:
            self._contoso_flag_manual_revenue()
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

    def _contoso_check_consultant_change(self, fnames):
        """Refuse a change of amount or stage by a technical consultant who is
        not also a salesperson; this is the one place that rule lives."""
        if self.env.su or not self:
            return
        locked = [fname for fname in self._CONSULTANT_LOCKED if fname in fnames]
        user = self.env.user
        if (
            not locked
            or user.has_group(SALESPERSON_GROUP)
            or not user.has_group(CONSULTANT_GROUP)
        ):
            return
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

    # -- Nurturing cadence --------------------------------------------------------

    contoso_nurture_enrolment_ids = fields.One2many(
        "contoso.nurture.enrolment",
        "lead_id",
        string="Nurturing Enrolments",
    )
    contoso_nurture_enrolment_id = fields.Many2one(
        "contoso.nurture.enrolment",
        string="Nurturing Enrolment",
        compute="_compute_contoso_nurture",
        help="The deal's running or paused nurturing enrolment, else its latest.",
    )
    contoso_nurture_state = fields.Selection(
        [
            ("running", "Running"),
            ("paused", "Paused"),
            ("done", "Finished"),
            ("stopped", "Stopped"),
        ],
        string="Nurturing Status",
        compute="_compute_contoso_nurture",
    )
    contoso_nurture_is_email = fields.Boolean(
        string="Nurturing Email Step", compute="_compute_contoso_nurture"
    )
    contoso_nurture_progress = fields.Char(
        string="Nurturing", compute="_compute_contoso_nurture"
    )

    @api.depends(
        "contoso_nurture_enrolment_ids.state",
        "contoso_nurture_enrolment_ids.step_id",
        "contoso_nurture_enrolment_ids.date_due",
    )
    def _compute_contoso_nurture(self):
        for lead in self:
            enrolments = lead.contoso_nurture_enrolment_ids
            enrolment = (
                enrolments.filtered(lambda e: e.state in ("running", "paused"))
                or enrolments
            )[:1]
            lead.contoso_nurture_enrolment_id = enrolment
            lead.contoso_nurture_state = enrolment.state
            lead.contoso_nurture_is_email = bool(
                enrolment.state == "running" and enrolment.step_id.mail_template_id
            )
            lead.contoso_nurture_progress = enrolment._progress() if enrolment else ""

    def _contoso_is_corporate(self):
        self.ensure_one()
        return bool(self.partner_id.commercial_partner_id.is_company)

    def _contoso_nurture_running(self):
        return self.contoso_nurture_enrolment_ids.filtered(
            lambda e: e.state in ("running", "paused")
        )

    def _contoso_nurture_enrol(self):
        """Enrol the deals without a running cadence; deals already enrolled are
        left as they are. Non-corporate customers are refused by the enrolment."""
        Enrolment = self.env["contoso.nurture.enrolment"]
        vals_list = []
        for lead in self:
            if lead._contoso_nurture_running():
                continue
            if not lead._contoso_is_corporate():
                raise UserError(Enrolment._not_corporate_message(lead, lead.partner_id))
            company = lead.company_id or self.env.company
            cadence = self.env["contoso.nurture.cadence"]._contoso_default_for(company)
            if not cadence:
                raise UserError(
                    self.env._(
                        "Deal '%(deal)s' cannot start nurturing: there is no active "
                        "nurturing cadence with steps. Ask a sales manager to set "
                        "one up in CRM configuration.",
                        deal=lead.name,
                    )
                )
            vals_list.append(
                {
                    "lead_id": lead.id,
                    "cadence_id": cadence.id,
                    "partner_id": lead.partner_id.id,
                }
            )
        return Enrolment.create(vals_list)

    def _contoso_nurture_auto_enrol(self):
        candidates = self.filtered(
            lambda lead: (
                lead.active
                and lead.user_id
                and not lead.stage_id.is_won
                and lead.team_id.contoso_nurture
                and (lead.company_id or self.env.company).contoso_nurture_auto_enrol
                and lead._contoso_is_corporate()
                and not lead.contoso_nurture_enrolment_ids
            )
        )
        if candidates and self.env["contoso.nurture.cadence"]._contoso_default_for(
            self.env.company
        ):
            candidates._contoso_nurture_enrol()

    def _contoso_nurture_stop_closed(self):
        # sudo: the deal's own write passed the user's access check; its
        # enrolments only follow it.
        for lead in self.sudo().filtered(lambda lead: lead._contoso_nurture_running()):
            if lead.stage_id.is_won:
                reason = self.env._("the deal was won.")
            elif not lead.active and lead.lost_reason_id:
                reason = self.env._(
                    "the deal was lost (%(reason)s).", reason=lead.lost_reason_id.name
                )
            elif not lead.active and not lead.probability:
                reason = self.env._("the deal was lost.")
            elif not lead.active:
                reason = self.env._("the deal was archived.")
            else:
                continue
            lead._contoso_nurture_running()._stop(reason)

    def _contoso_nurture_log(self, bodies):
        for lead, body in bodies.items():
            lead.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        if message.message_type == "email" and message.author_id:
            author = message.author_id.commercial_partner_id
            replied = self.filtered(
                lambda lead: (
                    lead.partner_id and author == lead.partner_id.commercial_partner_id
                )
            )
            # sudo: incoming emails are posted by the mail gateway; the
            # enrolments of the deal follow the customer's reply.
            for lead in replied.sudo():
                lead._contoso_nurture_running()._stop(
                    self.env._(
                        "%(customer)s replied by email.",
                        customer=message.author_id.name,
                    )
                )
        return result

    def activity_send_mail(self, template_id):
        result = super().activity_send_mail(template_id)
        # An email step is done once its template's email is sent.
        activities = (
            self._contoso_nurture_running()
            .filtered(
                lambda e: (
                    e.state == "running"
                    and e.step_id.mail_template_id.id == template_id
                )
            )
            .activity_id.filtered("active")
        )
        if activities:
            activities.action_feedback()
        return result

    def action_contoso_nurture_start(self):
        self._contoso_nurture_enrol()
        return True

    def _contoso_nurture_current(self):
        self.ensure_one()
        enrolment = self._contoso_nurture_running()[:1]
        if not enrolment:
            raise UserError(
                self.env._(
                    "Deal '%(deal)s' is not being nurtured: start nurturing first.",
                    deal=self.name,
                )
            )
        return enrolment

    def action_contoso_nurture_done(self):
        return self._contoso_nurture_current().action_done_step()

    def action_contoso_nurture_send_email(self):
        return self._contoso_nurture_current().action_send_email()

    def action_contoso_nurture_pause(self):
        return self._contoso_nurture_running().action_pause()

    def action_contoso_nurture_resume(self):
        return self._contoso_nurture_running().action_resume()
