from odoo import fields, models
from odoo.tools import SQL


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _contoso_running_enrolments(self):
        """The running enrolments whose current step is one of these activities,
        still open (the look-up of _action_done, below)."""
        return self.filtered("active")._contoso_waiting_on()[0]

    def write(self, vals):
        # Odoo archives an activity when it is done (_action_done, below). Any
        # other archiving (action_archive over RPC, a server action) leaves the
        # step undone: a cancellation, like deleting it.
        if (
            "active" not in vals
            or vals["active"]
            or self.env.context.get("contoso_activity_done")
        ):
            return super().write(vals)
        enrolments = self._contoso_running_enrolments()
        result = super().write(vals)
        if enrolments:
            enrolments._activity_cancelled()
        return result

    def unlink(self):
        # Cancelling the current step's activity would leave its enrolment
        # running with nothing to do (and the daily job sending its email again):
        # the enrolment pauses instead.
        enrolments = self._contoso_running_enrolments()
        result = super().unlink()
        if enrolments:
            enrolments._activity_cancelled()
        return result

    def _contoso_waiting_on(self):
        """The running nurturing enrolments and the open callback requests whose
        current activity is one of these, in one query over the addon's own
        tables: marking any activity done asks, whatever its model, so it costs
        one indexed round trip instead of two searches.

        sudo: marking the activity done already proved the user's right to it;
        the enrolment and the request only follow (their assignee may not be the
        deal's salesperson)."""
        enrolments = self.env["contoso.nurture.enrolment"].sudo()
        requests = self.env["contoso.callback.request"].sudo()
        activity_ids = [id_ for id_ in self.ids if isinstance(id_, int)]
        if not activity_ids:
            return enrolments, requests
        enrolments.flush_model(["activity_id", "state"])
        requests.flush_model(["activity_id", "state"])
        rows = self.env.execute_query(
            SQL(
                """SELECT FALSE, id FROM contoso_nurture_enrolment
                    WHERE activity_id = ANY(%(ids)s) AND state = 'running'
                UNION ALL
                SELECT TRUE, id FROM contoso_callback_request
                    WHERE activity_id = ANY(%(ids)s) AND state = 'requested'""",
                ids=activity_ids,
            )
        )
        return (
            enrolments.browse([id_ for is_request, id_ in rows if not is_request]),
            requests.browse([id_ for is_request, id_ in rows if is_request]),
        )

    def _action_done(self, feedback=False, attachment_ids=None):
        enrolments, requests = self._contoso_waiting_on()
        # Odoo archives the done activity: not a cancellation (write, above).
        result = super(
            MailActivity, self.with_context(contoso_activity_done=True)
        )._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if enrolments:
            enrolments._step_done(fields.Date.context_today(self))
        if requests:
            requests._mark_done()
        return result
