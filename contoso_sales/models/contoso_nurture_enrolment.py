import functools
import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2.errors
from babel.dates import format_skeleton
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.misc import babel_locale_parse, get_lang

_logger = logging.getLogger(__name__)

RUNNING_STATES = ("running", "paused")
# Emails sent, and enrolments locked, per committed transaction: a user marking
# one of them done meanwhile waits for that batch at most.
NURTURE_EMAIL_BATCH = 20


@functools.lru_cache(maxsize=2048)
def _month_day(day, lang_code):
    """'Mar 7' / '7 mars': the month and day in the reader's own order (a kanban
    page shows a few dozen due dates on its cards, a few distinct ones)."""
    return format_skeleton("MMMd", day, locale=babel_locale_parse(lang_code))


class ContosoNurtureEnrolment(models.Model):
    _name = "contoso.nurture.enrolment"
    _description = "Nurturing Enrolment"
    _inherit = ["mail.thread"]
    _order = "date_start desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Deal",
        required=True,
        ondelete="cascade",
        index=True,
    )
    cadence_id = fields.Many2one(
        "contoso.nurture.cadence",
        string="Cadence",
        required=True,
        ondelete="restrict",
        index=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        help="The corporate customer enrolled.",
    )
    user_id = fields.Many2one(
        related="lead_id.user_id",
        string="Salesperson",
        store=True,
        index=True,
    )
    company_id = fields.Many2one(
        related="lead_id.company_id", string="Company", store=True, index=True
    )
    state = fields.Selection(
        [
            ("running", "Running"),
            ("paused", "Paused"),
            ("done", "Finished"),
            ("stopped", "Stopped"),
        ],
        string="Status",
        required=True,
        default="running",
        tracking=True,
        index=True,
    )
    step_id = fields.Many2one(
        "contoso.nurture.step",
        string="Current Step",
        ondelete="set null",
        tracking=True,
    )
    step_number = fields.Integer(
        string="Step Number",
        compute="_compute_step_number",
        help="Position of the current step in the cadence, from 1.",
    )
    activity_id = fields.Many2one(
        "mail.activity",
        string="Current Activity",
        ondelete="set null",
        index=True,
    )
    date_start = fields.Date(
        string="Enrolled On", required=True, default=fields.Date.context_today
    )
    date_due = fields.Date(string="Current Step Due", index=True)
    date_end = fields.Date(string="Ended On")
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
    )
    stop_reason = fields.Char(string="Stop Reason", tracking=True)
    line_ids = fields.One2many(
        "contoso.nurture.enrolment.line",
        "enrolment_id",
        string="Completed Steps",
        readonly=True,
    )

    _lead_running_uniq = models.UniqueIndex(
        "(lead_id) WHERE state IN ('running', 'paused')",
        "A deal can follow only one running nurturing cadence.",
    )

    @api.depends("step_id", "cadence_id.step_ids")
    def _compute_step_number(self):
        steps_by_cadence = self._cadence_steps()
        for enrolment in self:
            enrolment.step_number = enrolment._step_position(
                steps_by_cadence[enrolment.cadence_id]
            )

    @api.depends("state", "date_due")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for enrolment in self:
            enrolment.is_overdue = (
                enrolment.state == "running"
                and enrolment.date_due
                and enrolment.date_due < today
            )

    def _search_is_overdue(self, operator, value):
        if operator != "in":
            return NotImplemented
        overdue = [
            ("state", "=", "running"),
            ("date_due", "<", fields.Date.context_today(self)),
        ]
        return overdue if True in value else ["!", *overdue]

    @api.constrains("partner_id")
    def _check_corporate(self):
        for enrolment in self:
            if not enrolment.partner_id.commercial_partner_id.is_company:
                raise ValidationError(
                    self._not_corporate_message(enrolment.lead_id, enrolment.partner_id)
                )

    @api.model
    def _not_corporate_message(self, lead, partner):
        if not partner:
            return self.env._(
                "Deal '%(deal)s' has no customer: nurturing applies to corporate "
                "accounts only. Set a company, or a contact of a company, as "
                "customer first.",
                deal=lead.name,
            )
        return self.env._(
            "Deal '%(deal)s' cannot start nurturing: customer '%(customer)s' is "
            "not a corporate account. Nurturing applies to companies and contacts "
            "of a company; set the contact's company first.",
            deal=lead.name,
            customer=partner.display_name,
        )

    @api.constrains("lead_id", "state")
    def _check_open_deal(self):
        # A cadence sells to an open deal: a won, lost or archived deal stops
        # its cadence (crm.lead._contoso_nurture_stop_closed) and cannot start
        # or resume one.
        for enrolment in self.filtered(lambda e: e.state in RUNNING_STATES):
            lead = enrolment.lead_id
            if lead.stage_id.is_won or not lead.active:
                raise ValidationError(
                    self.env._(
                        "Deal '%(deal)s' is closed (won, lost or archived): "
                        "nurturing is for open deals only. Reopen the deal "
                        "first.",
                        deal=lead.name,
                    )
                )

    @api.constrains("activity_id", "step_id", "lead_id", "cadence_id")
    def _check_own_step_and_activity(self):
        # The daily job does the current activity as superuser: it must be an
        # activity of this deal, for a step of this cadence, whoever wrote it.
        for enrolment in self:
            activity = enrolment.activity_id
            if (
                activity
                and (activity.res_model, activity.res_id)
                != ("crm.lead", enrolment.lead_id.id)
            ) or (
                enrolment.step_id
                and enrolment.step_id.cadence_id != enrolment.cadence_id
            ):
                raise ValidationError(
                    self.env._(
                        "The nurturing of deal '%(deal)s' can only follow a step of "
                        "its cadence '%(cadence)s' and an activity of that deal: "
                        "use Pause, Resume or Stop instead of editing them.",
                        deal=enrolment.lead_id.name,
                        cadence=enrolment.cadence_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        enrolments = super().create(vals_list)
        today = fields.Date.context_today(self)
        enrolments._schedule_each(
            [
                (enrolment, enrolment.cadence_id.step_ids[:1], today)
                for enrolment in enrolments
            ]
        )
        enrolments.lead_id._contoso_nurture_log(
            {
                enrolment.lead_id: (env := enrolment.lead_id._contoso_lang_env())._(
                    "Nurturing started: %(cadence)s.",
                    cadence=enrolment.cadence_id.with_env(env).name,
                )
                for enrolment in enrolments
            }
        )
        return enrolments

    # -- the cadence ------------------------------------------------------------

    def _responsible(self, step):
        self.ensure_one()
        if step.responsible == "user" and step.user_id:
            return step.user_id
        return self.lead_id.user_id or self.env.user

    def _schedule(self, step, date_due):
        """Make ``step`` the current one, with its single activity due on
        ``date_due``; no step left finishes the enrolment."""
        self.ensure_one()
        self._schedule_each([(self, step, date_due)])

    def _schedule_each(self, plans):
        """``_schedule`` for many (enrolment, step, date_due) at once: the
        activities are created together (a mass enrolment, a deal import)."""
        for enrolment, _step, _date in (plan for plan in plans if not plan[1]):
            enrolment.write(
                {
                    "state": "done",
                    "step_id": False,
                    "activity_id": False,
                    "date_due": False,
                    "date_end": fields.Date.context_today(enrolment),
                }
            )
            enrolment.lead_id._contoso_nurture_log(
                {
                    enrolment.lead_id: enrolment.lead_id._contoso_lang_env()._(
                        "Nurturing finished: every step is done."
                    )
                }
            )
        plans = [plan for plan in plans if plan[1]]
        if not plans:
            return
        model_id = self.env["ir.model"]._get_id("crm.lead")
        vals_list = []
        for enrolment, step, date_due in plans:
            responsible = enrolment._responsible(step)
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": enrolment.lead_id.id,
                    "activity_type_id": step.activity_type_id.id,
                    # stored text: in the language of whoever does the step
                    "summary": step.with_context(
                        lang=responsible.lang or self.env.lang
                    ).summary,
                    "date_deadline": date_due,
                    "user_id": responsible.id,
                    "automated": True,
                }
            )
        activities = (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )
        for (enrolment, step, date_due), activity in zip(
            plans, activities, strict=True
        ):
            enrolment.write(
                {"step_id": step.id, "activity_id": activity.id, "date_due": date_due}
            )

    def _step_done(self, date_done):
        """The current step's activity was done on ``date_done``: record it and
        schedule the next step ``delay_days`` calendar days later."""
        for enrolment in self.filtered(lambda e: e.state == "running"):
            step = enrolment.step_id
            self.env["contoso.nurture.enrolment.line"].create(
                {
                    "enrolment_id": enrolment.id,
                    "step_id": step.id,
                    "summary": step.with_env(
                        enrolment.lead_id._contoso_lang_env()
                    ).summary,
                    "date_due": enrolment.date_due,
                    "date_done": date_done,
                    "user_id": self.env.user.id,
                }
            )
            steps = enrolment.cadence_id.step_ids
            following = steps.filtered(
                lambda s, step=step: (s.sequence, s.id) > (step.sequence, step.id)
            )[:1]
            enrolment.activity_id = False
            enrolment._schedule(
                following, date_done + timedelta(days=following.delay_days)
            )

    def _stop(self, reason):
        """Stop the running enrolments; callers write ``reason`` in the language
        of the deal's salesperson (crm.lead._contoso_lang_env)."""
        running = self.filtered(lambda e: e.state in RUNNING_STATES)
        if not running:
            return
        activities = running.activity_id.filtered("active")
        running.write(
            {
                "state": "stopped",
                "stop_reason": reason,
                "activity_id": False,
                "date_end": fields.Date.context_today(self),
            }
        )
        activities.unlink()
        running.lead_id._contoso_nurture_log(
            {
                lead: lead._contoso_lang_env()._(
                    "Nurturing stopped: %(reason)s", reason=reason
                )
                for lead in running.lead_id
            }
        )

    # -- buttons ------------------------------------------------------------------

    def action_pause(self):
        running = self.filtered(lambda e: e.state == "running")
        activities = running.activity_id.filtered("active")
        running.write({"state": "paused", "activity_id": False})
        activities.unlink()
        running.lead_id._contoso_nurture_log(
            {
                lead: lead._contoso_lang_env()._("Nurturing paused.")
                for lead in running.lead_id
            }
        )
        return True

    def _activity_cancelled(self):
        """The current step's activity was cancelled (deleted) by someone: pause,
        so the cadence neither waits forever nor sends that step's email; Resume
        plans the step again."""
        running = self.filtered(lambda e: e.state == "running")
        running.write({"state": "paused", "activity_id": False})
        # stored text: in the language of the deal's salesperson, not of
        # whoever cancelled the activity
        running.lead_id._contoso_nurture_log(
            {
                enrolment.lead_id: (env := enrolment.lead_id._contoso_lang_env())._(
                    "Nurturing paused: the activity of step '%(step)s' was "
                    "cancelled by %(user)s. Resume nurturing to plan it again.",
                    step=enrolment.step_id.with_env(env).summary,
                    user=self.env.user.name,
                )
                for enrolment in running
            }
        )

    def _step_removed(self, removed_steps):
        """``removed_steps`` are being deleted from their cadence: the enrolments
        on one of them go on with the next remaining step, due when the removed
        one was, instead of starting the cadence again."""
        for enrolment in self.filtered(lambda e: e.state in RUNNING_STATES):
            step = enrolment.step_id
            following = (enrolment.cadence_id.step_ids - removed_steps).filtered(
                lambda s, step=step: (s.sequence, s.id) > (step.sequence, step.id)
            )[:1]
            activity = enrolment.activity_id
            enrolment.activity_id = False
            activity.filtered("active").unlink()
            env = enrolment.lead_id._contoso_lang_env()
            enrolment.lead_id._contoso_nurture_log(
                {
                    enrolment.lead_id: env._(
                        "Nurturing step '%(step)s' was removed from the cadence: "
                        "the deal goes on with the next step.",
                        step=step.with_env(env).summary,
                    )
                }
            )
            if enrolment.state == "paused" and following:
                enrolment.step_id = following
            else:
                enrolment.state = "running"
                enrolment._schedule(
                    following, enrolment.date_due or fields.Date.context_today(self)
                )

    def action_resume(self):
        today = fields.Date.context_today(self)
        for enrolment in self.filtered(lambda e: e.state == "paused"):
            enrolment.state = "running"
            enrolment._schedule(
                enrolment.step_id, max(enrolment.date_due or today, today)
            )
            enrolment.lead_id._contoso_nurture_log(
                {
                    enrolment.lead_id: enrolment.lead_id._contoso_lang_env()._(
                        "Nurturing resumed."
                    )
                }
            )
        return True

    def action_stop(self):
        # one deal at a time: each reason is written in its salesperson's language
        for enrolment in self:
            enrolment._stop(
                enrolment.lead_id._contoso_lang_env()._(
                    "stopped by %(user)s.", user=self.env.user.name
                )
            )
        return True

    def action_done_step(self):
        """Mark the current step's activity done, as the chatter would."""
        self.ensure_one()
        if self.state != "running" or not self.activity_id.active:
            raise UserError(
                self.env._(
                    "Deal '%(deal)s' has no nurturing step to do: the cadence is "
                    "not running.",
                    deal=self.lead_id.name,
                )
            )
        self.activity_id.action_feedback()
        return True

    def action_send_email(self):
        """Open the composer on the deal, pre-filled from the step's template;
        sending the email marks the step done."""
        self.ensure_one()
        template = self.step_id.mail_template_id
        if self.state != "running" or not template:
            raise UserError(
                self.env._(
                    "Deal '%(deal)s': the current nurturing step is not an email.",
                    deal=self.lead_id.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Email"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "crm.lead",
                "default_res_ids": self.lead_id.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "contoso_nurture_activity_id": self.activity_id.id,
            },
        }

    # -- cron -------------------------------------------------------------------

    @api.model
    def _cron_send_due_emails(self):
        """Send the emails of the email steps due today or before, for companies
        that chose to send them automatically, a batch at a time."""
        # Two runs at once (two cron workers, a run by hand) send each email
        # once: a batch is locked until it is committed, and the other run
        # skips it instead of waiting for it.
        tried = []
        while True:
            due = self._lock_due_emails(tried)
            if due is None:
                # Another run did some of them since this transaction began:
                # look again in a new one.
                self.env.cr.rollback()
                continue
            tried += due.ids
            due._send_due_emails()
            if len(due) < NURTURE_EMAIL_BATCH:
                return
            self.env["ir.cron"]._commit_progress(len(due))

    @api.model
    def _lock_due_emails(self, tried):
        """Lock the next batch of enrolments whose email is due, skipping those
        another transaction holds; None if one of them changed meanwhile."""
        # Only a step whose activity is still open is sent: sending marks that
        # activity done and moves on, in the same savepoint, so a step's email
        # goes out once, whatever happens to its activity afterwards.
        query = self._search(
            [
                ("state", "=", "running"),
                ("date_due", "<=", fields.Date.context_today(self)),
                ("step_id.mail_template_id", "!=", False),
                ("activity_id.active", "=", True),
                ("company_id.contoso_nurture_auto_send", "=", True),
                ("id", "not in", tried),
            ],
            order="id",
            limit=NURTURE_EMAIL_BATCH,
        )
        lock = SQL(
            "%s FOR NO KEY UPDATE OF %s SKIP LOCKED",
            query.select(),
            SQL.identifier(self._table),
        )
        self.env.flush_query(lock)
        try:
            self.env.cr.execute(lock, log_exceptions=False)
        except psycopg2.errors.SerializationFailure:
            # Repeatable read: a row changed since this transaction's snapshot
            # cannot be locked in it.
            return None
        return self.browse(id_ for (id_,) in self.env.cr.fetchall())

    def _send_due_emails(self):
        for enrolment in self:
            lead, activity = enrolment.lead_id, enrolment.activity_id
            if activity.user_id:
                # the email goes out in the name of whoever does the step
                lead = lead.with_user(activity.user_id)
            try:
                with self.env.cr.savepoint():
                    lead.activity_send_mail(enrolment.step_id.mail_template_id.id)
                    if activity.active:
                        # the template did not mark it done: never send it twice
                        activity.action_feedback()
            except Exception:
                # One bad deal (template error, deleted user...) must not keep
                # the others' emails from going out; it is retried next run.
                _logger.exception(
                    "Nurturing email of deal %s (enrolment %s, step %s) failed",
                    lead.id,
                    enrolment.id,
                    enrolment.step_id.id,
                )
                self.env.invalidate_all()

    @api.depends("lead_id.name", "cadence_id.name")
    def _compute_display_name(self):
        for enrolment in self:
            enrolment.display_name = self.env._(
                "%(deal)s — %(cadence)s",
                deal=enrolment.lead_id.display_name,
                cadence=enrolment.cadence_id.name,
            )

    def _cadence_steps(self):
        """{cadence: its steps in order} for these enrolments' cadences, in one
        query that also reads what the deal's nurturing status shows of them."""
        Step = self.env["contoso.nurture.step"]
        steps = Step.search_fetch(
            [("cadence_id", "in", self.cadence_id.ids)],
            ["cadence_id", "summary", "mail_template_id"],
        )
        return defaultdict(Step.browse, steps.grouped("cadence_id"))

    def _step_position(self, steps):
        """Position of the current step among its cadence's ``steps``, from 1."""
        self.ensure_one()
        return steps.ids.index(self.step_id.id) + 1 if self.step_id in steps else 0

    def _progress_texts(self):
        """{enrolment: its progress line}: the nurturing status of a deal being
        edited (a saved deal's is read in one query, in
        `crm.lead._compute_contoso_nurture`)."""
        running = self.filtered(lambda e: e.state in RUNNING_STATES)
        steps_by_cadence = running._cadence_steps()
        return {
            enrolment: enrolment._progress(steps_by_cadence[enrolment.cadence_id])
            for enrolment in self
        }

    def _progress(self, steps):
        """'Nurturing 2/4 — Check-in email due Mar 7'; ``steps``: the cadence's
        steps in order (`_cadence_steps`)."""
        self.ensure_one()
        return self._progress_line(
            self.state,
            number=self._step_position(steps),
            total=len(steps),
            step=self.step_id.summary,
            date_due=self.date_due,
            stop_reason=self.stop_reason,
        )

    @api.model
    def _progress_templates(self):
        """The progress lines of each state in the reader's language, to fill in
        (translated once for a kanban page of cards, not once a card)."""
        return {
            "running": self.env._(
                "Nurturing %(number)s/%(total)s — %(step)s due %(date)s"
            ),
            "paused": self.env._("Nurturing %(number)s/%(total)s paused — %(step)s"),
            "done": self.env._("Nurturing finished"),
            "stopped": self.env._("Nurturing stopped: %(reason)s"),
        }

    @api.model
    def _progress_line(
        self,
        state,
        number,
        total,
        step,
        date_due,
        stop_reason,
        templates=None,
        lang=None,
    ):
        """The progress line of an enrolment in ``state`` at step ``number`` of
        ``total`` (named ``step``, due ``date_due``), in the reader's language;
        for many lines, ``templates`` (`_progress_templates`) and ``lang`` (the
        reader's language code) are read once by the caller."""
        template = (templates or self._progress_templates()).get(state)
        if not template:
            return ""
        return template % {
            "number": number,
            "total": total,
            "step": step,
            "reason": stop_reason,
            "date": date_due
            and state == "running"
            and _month_day(date_due, lang or get_lang(self.env).code),
        }
