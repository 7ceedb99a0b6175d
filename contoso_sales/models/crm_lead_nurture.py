from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.misc import get_lang

from .contoso_nurture_enrolment import RUNNING_STATES


class CrmLead(models.Model):
    """Corporate lead nurturing: enrolment, exits and the deal's progress."""

    _inherit = "crm.lead"

    contoso_nurture_enrolment_ids = fields.One2many(
        "contoso.nurture.enrolment",
        "lead_id",
        string="Nurturing Enrolments",
    )
    contoso_nurture_enrolment_id = fields.Many2one(
        "contoso.nurture.enrolment",
        string="Nurturing Enrolment",
        compute="_compute_contoso_nurture_enrolment_id",
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
    contoso_nurture_count = fields.Integer(
        string="Nurturing Enrolment Count",
        compute="_compute_contoso_nurture",
        help="The deal's nurturing enrolments, running or past: the form's "
        "Nurturing button opens them.",
    )

    @api.depends(
        "contoso_nurture_enrolment_ids.state",
        "contoso_nurture_enrolment_ids.step_id",
        "contoso_nurture_enrolment_ids.date_due",
        "contoso_nurture_enrolment_ids.date_start",
        "contoso_nurture_enrolment_ids.stop_reason",
        # the cadence as edited since: its steps' names, order and emails (and
        # the current step's, moved to another cadence)
        "contoso_nurture_enrolment_ids.step_id.summary",
        "contoso_nurture_enrolment_ids.step_id.mail_template_id",
        "contoso_nurture_enrolment_ids.cadence_id.step_ids.summary",
        "contoso_nurture_enrolment_ids.cadence_id.step_ids.sequence",
        "contoso_nurture_enrolment_ids.cadence_id.step_ids.mail_template_id",
    )
    # the reader's language, and the reader: each sees the enrolments his
    # record rules let him read
    @api.depends_context("lang", "uid")
    def _compute_contoso_nurture(self):
        """The status line of the deal's running or paused enrolment, else of
        its latest; shown on every deal form and kanban card. Each value is
        assigned once to the deals that share it: a kanban page computes this
        for two hundred cards, whose lines repeat (the same step due the same
        day)."""
        Enrolment = self.env["contoso.nurture.enrolment"]
        templates = Enrolment._progress_templates()
        lang = get_lang(self.env).code
        shared = defaultdict(list)  # (state, is_email, count): deal ids
        lines = defaultdict(list)  # progress line: deal ids
        saved = self.browse(
            [lead_id for lead_id in self._ids if isinstance(lead_id, int)]
        )
        without = set(saved._ids)
        for enrolment, lead_ids in saved._contoso_nurture_lines() if saved else ():
            state = enrolment["state"]
            line = Enrolment._progress_line(
                state,
                number=enrolment["number"],
                total=enrolment["total"],
                step=enrolment["summary"],
                date_due=enrolment["date_due"],
                stop_reason=enrolment["stop_reason"],
                templates=templates,
                lang=lang,
            )
            is_email = bool(state == "running" and enrolment["is_email"])
            shared[state, is_email, enrolment["count"]].extend(lead_ids)
            lines[line].extend(lead_ids)
            without.difference_update(lead_ids)
        if without:
            shared[False, False, 0].extend(without)
            lines[""].extend(without)
        # deals being edited in a form: their enrolments, through the ORM
        for lead_id, enrolment, count in (self - saved)._contoso_nurture_latest():
            state = enrolment.state
            shared[
                state,
                bool(state == "running" and enrolment.step_id.mail_template_id),
                count,
            ].append(lead_id)
            lines[enrolment._progress_texts().get(enrolment, "")].append(lead_id)
        for line, ids in lines.items():
            self.browse(ids).contoso_nurture_progress = line
        for (state, is_email, count), ids in shared.items():
            leads = self.browse(ids)
            leads.contoso_nurture_state = state
            leads.contoso_nurture_is_email = is_email
            leads.contoso_nurture_count = count

    @api.depends(
        "contoso_nurture_enrolment_ids.state",
        "contoso_nurture_enrolment_ids.date_start",
    )
    def _compute_contoso_nurture_enrolment_id(self):
        """The deal's running or paused enrolment, else its latest (a compute of
        its own: the cards and the form show the status, not the record)."""
        for lead_id, enrolment, _count in self._contoso_nurture_latest():
            self.browse((lead_id,)).contoso_nurture_enrolment_id = (
                enrolment["id"] if isinstance(enrolment, dict) else enrolment or False
            )

    def _contoso_nurture_latest(self):
        """(deal id, its current enrolment, its number of enrolments) for each
        deal: the running or paused enrolment, else the latest. Saved deals'
        enrolments as rows of `_contoso_nurture_rows` (one query; ``None``
        without enrolment); a deal being edited (a new record) gets its
        enrolment record (maybe empty) from its one2many."""
        saved = self.browse(
            [lead_id for lead_id in self._ids if isinstance(lead_id, int)]
        )
        rows = saved._contoso_nurture_rows() if saved else {}
        for lead_id in self._ids:
            if isinstance(lead_id, int):
                found = rows.get(lead_id, ())
                current = next(
                    (row for row in found if row["state"] in RUNNING_STATES), None
                ) or (found[0] if found else None)
                yield lead_id, current, len(found)
            else:
                enrolments = self.browse((lead_id,)).contoso_nurture_enrolment_ids
                current = (
                    enrolments.filtered(lambda e: e.state in RUNNING_STATES)
                    or enrolments
                )[:1]
                yield lead_id, current, len(enrolments)

    def _contoso_nurture_rows(self):
        """{deal id: its enrolments as rows, latest first}, each with its step's
        summary (in the reader's language), whether it is an email step, its
        position and its cadence's number of steps (`_contoso_nurture_query`)."""
        query = self._contoso_nurture_query(
            SQL("SELECT * FROM enrolment_row ORDER BY date_start DESC, id DESC")
        )
        rows = defaultdict(list)
        for row in self.env.execute_query_dict(query):
            rows[row["lead_id"]].append(row)
        return rows

    def _contoso_nurture_lines(self):
        """The deals' current enrolments (running or paused, else the latest),
        grouped by what their status line shows: [(row, deal ids)], each row
        as in `_contoso_nurture_rows` with ``count``, the deal's number of
        enrolments. A kanban page's two hundred cards share a few lines: the
        deals are matched to their enrolment and grouped by the query, and
        each line is written once for its deals."""
        query = self._contoso_nurture_query(
            SQL(
                """
                SELECT state, is_email, number, total, summary, date_due,
                       stop_reason, count, array_agg(lead_id) AS lead_ids
                  FROM (
                      SELECT DISTINCT ON (lead_id) *,
                             count(*) OVER (PARTITION BY lead_id) AS count
                        FROM enrolment_row
                       ORDER BY lead_id, state IN %(running)s DESC,
                                date_start DESC, id DESC
                  ) current
                 GROUP BY state, is_email, number, total, summary, date_due,
                          stop_reason, count
                """,
                running=RUNNING_STATES,
            )
        )
        return [
            (row, row.pop("lead_ids")) for row in self.env.execute_query_dict(query)
        ]

    def _contoso_nurture_query(self, select):
        """``select`` over ``enrolment_row``: the deals' enrolments, each with its
        step's summary (in the reader's language), whether it is an email step,
        its position and its cadence's number of steps; one query for a form or
        a kanban page (the ORM took two searches, each with its record rule).
        Only the enrolments the reader reads: a consultant reads the deals he
        checks, not their enrolments."""
        Enrolment = self.env["contoso.nurture.enrolment"]
        Step = self.env["contoso.nurture.step"]
        # the enrolments the reader reads (their record rules), selected by the
        # same query: no second scan of the enrolments to match their ids
        readable = Enrolment._search([("lead_id", "in", self.ids)])
        fields_read = [
            "lead_id",
            "state",
            "step_id",
            "date_due",
            "stop_reason",
            "cadence_id",
            "date_start",
        ]
        Enrolment.flush_model(fields_read)
        Step.flush_model(["cadence_id", "sequence", "summary", "mail_template_id"])
        columns = [
            SQL.identifier(readable.table, name) for name in ["id", *fields_read]
        ]
        # the steps' order is the model's (_order: cadence, sequence, id)
        return SQL(
            """
            WITH enrolment AS %(enrolments)s,
            step AS (
                SELECT s.id, s.cadence_id, s.mail_template_id, %(summary)s AS summary,
                       row_number() OVER (
                           PARTITION BY s.cadence_id ORDER BY s.sequence, s.id
                       ) AS number,
                       count(*) OVER (PARTITION BY s.cadence_id) AS total
                  FROM contoso_nurture_step s
                 WHERE s.cadence_id IN (SELECT cadence_id FROM enrolment)
                    -- a current step since moved to another cadence keeps its name
                    OR s.id IN (SELECT step_id FROM enrolment)
            ),
            enrolment_row AS (
                SELECT e.id, e.lead_id, e.state, e.date_due, e.stop_reason,
                       e.date_start, s.summary,
                       s.mail_template_id IS NOT NULL AS is_email,
                       CASE WHEN s.cadence_id = e.cadence_id THEN s.number ELSE 0 END
                           AS number,
                       -- the steps of the enrolment's cadence are all in step:
                       -- any of them counts them (a moved step's may not)
                       coalesce(t.total, 0) AS total
                  FROM enrolment e
                  LEFT JOIN step s ON s.id = e.step_id
                  LEFT JOIN (SELECT DISTINCT cadence_id, total FROM step) t
                    ON t.cadence_id = e.cadence_id
            )
            %(select)s
            """,
            enrolments=readable.subselect(*columns),
            summary=Step._field_to_sql("s", "summary"),
            select=select,
        )

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads._contoso_nurture_auto_enrol()
        return leads

    def write(self, vals):
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
