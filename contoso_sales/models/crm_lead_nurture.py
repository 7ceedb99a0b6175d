from collections import defaultdict
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import get_lang

from .contoso_nurture_enrolment import NURTURE_STATES, RUNNING_STATES
from .crm_lead_tech_check import CONSULTANT_GROUP

# The deal's current enrolment, kept on its row, is read over RPC by
# administrators only: each reader is shown it through the fields computed
# from it (crm.lead._contoso_nurture_shown), as his rules on enrolments let him.
NURTURE_GROUP = "base.group_system"
# ... and written by nobody: it is computed from the enrolments.
CURRENT_FIELDS = frozenset(
    {
        "contoso_nurture_current_id",
        "contoso_nurture_current_state",
        "contoso_nurture_current_cadence_id",
        "contoso_nurture_current_step_id",
        "contoso_nurture_current_date_due",
        "contoso_nurture_current_stop_reason",
        "contoso_nurture_enrolment_total",
    }
)


class CrmLead(models.Model):
    """Corporate lead nurturing: enrolment, exits and the deal's progress."""

    _inherit = "crm.lead"

    contoso_nurture_enrolment_ids = fields.One2many(
        "contoso.nurture.enrolment",
        "lead_id",
        string="Nurturing Enrolments",
    )
    # The deal's current enrolment (running or paused, else the latest), kept
    # on the deal's own row: a kanban card and a form read it with the deal,
    # without a query over the enrolments. Written when an enrolment moves (the
    # cadence's job, a step done, a stop). Readable by those who sell, as the
    # enrolments are; the fields below show it to each reader.
    contoso_nurture_current_id = fields.Many2one(
        "contoso.nurture.enrolment",
        string="Current Nurturing Enrolment",
        compute="_compute_contoso_nurture_current",
        store=True,
        groups=NURTURE_GROUP,
        # an enrolment deleted (with its deal, merged deals) sets it empty
        index="btree_not_null",
    )
    contoso_nurture_current_state = fields.Selection(
        NURTURE_STATES,
        string="Current Nurturing Status",
        compute="_compute_contoso_nurture_current",
        store=True,
        groups=NURTURE_GROUP,
    )
    contoso_nurture_current_cadence_id = fields.Many2one(
        "contoso.nurture.cadence",
        string="Current Nurturing Cadence",
        compute="_compute_contoso_nurture_current",
        store=True,
        groups=NURTURE_GROUP,
    )
    contoso_nurture_current_step_id = fields.Many2one(
        "contoso.nurture.step",
        string="Current Nurturing Step",
        compute="_compute_contoso_nurture_current",
        store=True,
        groups=NURTURE_GROUP,
    )
    contoso_nurture_current_date_due = fields.Date(
        string="Current Nurturing Step Due",
        compute="_compute_contoso_nurture_current",
        store=True,
        groups=NURTURE_GROUP,
    )
    contoso_nurture_current_stop_reason = fields.Char(
        string="Current Nurturing Stop Reason",
        compute="_compute_contoso_nurture_current",
        store=True,
        groups=NURTURE_GROUP,
    )
    contoso_nurture_enrolment_total = fields.Integer(
        string="Nurturing Enrolments Ever",
        compute="_compute_contoso_nurture_current",
        store=True,
        groups=NURTURE_GROUP,
    )
    contoso_nurture_enrolment_id = fields.Many2one(
        "contoso.nurture.enrolment",
        string="Nurturing Enrolment",
        compute="_compute_contoso_nurture_enrolment_id",
        help="The deal's running or paused nurturing enrolment, else its latest.",
    )
    contoso_nurture_state = fields.Selection(
        NURTURE_STATES,
        string="Nurturing Status",
        compute="_compute_contoso_nurture",
    )
    contoso_nurture_is_email = fields.Boolean(
        string="Nurturing Email Step", compute="_compute_contoso_nurture"
    )
    contoso_nurture_progress = fields.Char(
        string="Nurturing", compute="_compute_contoso_nurture"
    )
    contoso_nurture_count = fields.Integer(
        string="Nurturing Enrolment Count",
        compute="_compute_contoso_nurture",
        help="The deal's nurturing enrolments, running or past: the form's "
        "Nurturing button opens them.",
    )

    @api.depends(
        "contoso_nurture_enrolment_ids.state",
        "contoso_nurture_enrolment_ids.cadence_id",
        "contoso_nurture_enrolment_ids.step_id",
        "contoso_nurture_enrolment_ids.date_due",
        "contoso_nurture_enrolment_ids.date_start",
        "contoso_nurture_enrolment_ids.stop_reason",
    )
    def _compute_contoso_nurture_current(self):
        """The running or paused enrolment (one at most), else the latest
        (start date, then id): computed as superuser, from every enrolment of
        the deal; what each reader is shown is `_compute_contoso_nurture`."""
        for lead in self:
            enrolments = lead.contoso_nurture_enrolment_ids
            current = max(
                enrolments.filtered(lambda e: e.state in RUNNING_STATES) or enrolments,
                key=lambda e: (e.date_start or date.min, e._origin.id or 0),
                default=enrolments.browse(),
            )
            lead.contoso_nurture_current_id = current
            lead.contoso_nurture_current_state = current.state
            lead.contoso_nurture_current_cadence_id = current.cadence_id
            lead.contoso_nurture_current_step_id = current.step_id
            lead.contoso_nurture_current_date_due = current.date_due
            lead.contoso_nurture_current_stop_reason = current.stop_reason
            lead.contoso_nurture_enrolment_total = len(enrolments)

    @api.depends(
        "contoso_nurture_current_id",
        "contoso_nurture_current_state",
        "contoso_nurture_current_date_due",
        "contoso_nurture_current_stop_reason",
        "contoso_nurture_enrolment_total",
        # the cadence as edited since: its steps' names, order and emails (and
        # the current step's, moved to another cadence)
        "contoso_nurture_current_step_id.summary",
        "contoso_nurture_current_step_id.mail_template_id",
        "contoso_nurture_current_step_id.cadence_id",
        "contoso_nurture_current_cadence_id.step_ids.sequence",
    )
    # the reader's language, and the reader: each sees the status of the
    # enrolments his record rules let him read
    @api.depends_context("lang", "uid")
    def _compute_contoso_nurture(self):
        """The status line of the deal's current enrolment, as the reader is
        shown it: read from the deal's row (`_compute_contoso_nurture_current`),
        in the reader's language, with the position of its step in its cadence.
        A kanban page computes this for two hundred cards whose lines repeat
        (the same step due the same day): each value is assigned once to the
        deals that share it."""
        Enrolment = self.env["contoso.nurture.enrolment"]
        shown = self._contoso_nurture_shown()
        # the deals that show the same status, read once per status
        statuses = defaultdict(list)
        for lead in shown:
            statuses[
                lead.contoso_nurture_current_state,
                lead.contoso_nurture_current_step_id,
                lead.contoso_nurture_current_cadence_id,
                lead.contoso_nurture_current_date_due,
                lead.contoso_nurture_current_stop_reason,
                lead.contoso_nurture_enrolment_total,
            ].append(lead.id)
        steps_by_cadence = Enrolment._steps_of(
            Enrolment.cadence_id.union(
                *(key[2] for key in statuses if key[0] in RUNNING_STATES)
            )
        )
        templates = Enrolment._progress_templates()
        lang = get_lang(self.env).code
        shared = defaultdict(list)  # (state, is_email, count): deal ids
        lines = defaultdict(list)  # progress line: deal ids
        for (state, step, cadence, date_due, reason, count), ids in statuses.items():
            steps = steps_by_cadence[cadence]
            line = Enrolment._progress_line(
                state,
                number=steps.ids.index(step.id) + 1 if step in steps else 0,
                total=len(steps),
                step=step.summary,
                date_due=date_due,
                stop_reason=reason,
                templates=templates,
                lang=lang,
            )
            shared[
                state, bool(state == "running" and step.mail_template_id), count
            ].extend(ids)
            lines[line].extend(ids)
        if hidden := self - shown:
            shared[False, False, 0].extend(hidden._ids)
            lines[""].extend(hidden._ids)
        for line, ids in lines.items():
            self.browse(ids).contoso_nurture_progress = line
        for (state, is_email, count), ids in shared.items():
            leads = self.browse(ids)
            leads.contoso_nurture_state = state
            leads.contoso_nurture_is_email = is_email
            leads.contoso_nurture_count = count

    @api.depends("contoso_nurture_current_id")
    @api.depends_context("uid")
    def _compute_contoso_nurture_enrolment_id(self):
        """The deal's current enrolment, for whoever reads it (its own
        compute: the cards and the form show the status, not the record)."""
        shown = self._contoso_nurture_shown()
        (self - shown).contoso_nurture_enrolment_id = False
        for lead in shown:
            # (a tuple: a deal being edited has a new id, which is falsy)
            self.browse(
                (lead.id,)
            ).contoso_nurture_enrolment_id = lead.contoso_nurture_current_id

    def _contoso_nurture_shown(self):
        """The deals whose nurturing status the reader is shown, those whose
        current enrolment he reads, as superuser to read it from.

        Enrolments follow their deal: their record rules are the deal's (own
        and unassigned deals, the team's, all, the company), so a reader who
        sells reads the enrolments of every deal he reads. The technical
        consultants' rule has no twin on enrolments: a consultant reads the
        deals he checks, not their enrolments (nurturing sells), and his
        status is checked enrolment by enrolment."""
        if self.env.su:
            return self
        if not self.env["contoso.nurture.enrolment"].has_access("read"):
            return self.browse()
        if self.env.user.has_group(
            "sales_team.group_sale_salesman_all_leads"
        ) or not self.env.user.has_group(CONSULTANT_GROUP):
            # (a reader of all deals reads all their enrolments: the
            # consultants' rule gives him no deal more)
            # the deal's row as the reader reads it (its record rules): a
            # deal he does not read fails here, as any of its fields does
            for lead in self:
                lead.type  # noqa: B018
            return self.sudo()
        deals = self.sudo()
        current = deals.contoso_nurture_current_id._origin
        readable = current.with_env(self.env)._filtered_access("read")
        return deals.filtered(
            lambda lead: lead.contoso_nurture_current_id._origin in readable
        )

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._contoso_nurture_auto_enrol()
        return leads

    def write(self, vals):
        if forced := CURRENT_FIELDS.intersection(vals):
            raise AccessError(
                self.env._(
                    "The nurturing status of a deal (%(fields)s) follows its "
                    "nurturing enrolments and cannot be written: start, pause, "
                    "resume or stop its nurturing instead.",
                    fields=", ".join(sorted(forced)),
                )
            )
        result = super().write(vals)
        if {"stage_id", "active"} & set(vals) and not self.env.context.get(
            "contoso_nurture_losing"
        ):
            self._contoso_nurture_stop_closed()
        if {"partner_id", "user_id"} & set(vals):
            self._contoso_nurture_auto_enrol()
        return result

    def _contoso_lang_env(self):
        """The environment in which to write the texts stored on the deal for its
        salesperson (chatter lines, stop reasons, activity summaries): in the
        salesperson's language, else the user's."""
        self.ensure_one()
        return self.with_context(lang=self.user_id.lang or self.env.lang).env

    def _contoso_is_corporate(self):
        self.ensure_one()
        return bool(self.partner_id.commercial_partner_id.is_company)

    def _contoso_nurture_running(self):
        return self.contoso_nurture_enrolment_ids.filtered(
            lambda e: e.state in RUNNING_STATES
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
        # enrolments only follow it. Stopped together per reason (a mass
        # stage move), each reason in its salesperson's language.
        # Only a won or inactive deal stops its cadence: a move between open
        # stages (most stage changes) reads no enrolment at all.
        closed = self.sudo().filtered(
            lambda lead: lead.stage_id.is_won or not lead.active
        )
        by_reason = defaultdict(lambda: self.env["contoso.nurture.enrolment"].sudo())
        for lead in closed.filtered(lambda lead: lead._contoso_nurture_running()):
            env = lead._contoso_lang_env()
            if lead.stage_id.is_won:
                reason = env._("the deal was won.")
            elif not lead.active and lead.lost_reason_id:
                reason = env._(
                    "the deal was lost (%(reason)s).",
                    reason=lead.lost_reason_id.with_env(env).name,
                )
            elif not lead.active and not lead.probability:
                reason = env._("the deal was lost.")
            elif not lead.active:
                reason = env._("the deal was archived.")
            else:
                continue
            by_reason[reason] |= lead._contoso_nurture_running()
        for reason, enrolments in by_reason.items():
            enrolments._stop(reason)

    def _contoso_nurture_log(self, bodies):
        """One note per deal, ``bodies`` {deal: text}, logged together: the
        cadence's own lines, nobody is notified. Odoo's batch log writes as
        superuser: every caller runs after the deal's or the enrolment's own
        access check (or is the cadence's job)."""
        if bodies:
            leads = self.browse([lead.id for lead in bodies])
            leads._message_log_batch({lead.id: body for lead, body in bodies.items()})

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
                    lead._contoso_lang_env()._(
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

    def action_set_lost(self, **additional_values):
        # Odoo archives the deal, then writes its lost probability and reason:
        # stopped at the archive, the cadence would say "archived", not why
        # the deal was lost. Stopped once the deal is as Lost leaves it.
        result = super(
            CrmLead, self.with_context(contoso_nurture_losing=True)
        ).action_set_lost(**additional_values)
        self._contoso_nurture_stop_closed()
        return result

    def action_contoso_nurture_history(self):
        """The deal's enrolments, running and past (the form's button: a list
        read on demand rather than with every form)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "contoso_sales.contoso_nurture_enrolment_action"
        )
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"create": False}
        action["name"] = self.env._("Nurturing: %(deal)s", deal=self.name)
        return action

    def action_contoso_nurture_start(self):
        # Nurturing sells: a technical consultant may not start it (and cannot
        # read the deal's enrolments to see one already running).
        if not self.env.su and self._contoso_user_is_consultant_only():
            raise AccessError(
                self.env._(
                    "%(user)s is a technical consultant and cannot start the "
                    "nurturing of deal '%(deal)s': it is the salesperson's. Ask "
                    "%(owner)s or a sales manager.",
                    user=self.env.user.name,
                    deal=self[:1].name,
                    owner=self[:1].user_id.name or self.env._("its salesperson"),
                )
            )
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
