from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def unlink(self):
        # Cancelling the current step's activity would leave its enrolment
        # running with nothing to do (and the daily job sending its email again):
        # the enrolment pauses instead. sudo: as in _action_done, the enrolment
        # only follows what happened to its activity.
        enrolments = (
            self.env["contoso.nurture.enrolment"]
            .sudo()
            .search(
                [
                    ("activity_id", "in", self.filtered("active").ids),
                    ("state", "=", "running"),
                ]
            )
        )
        result = super().unlink()
        if enrolments:
            enrolments._activity_cancelled()
        return result

    def _action_done(self, feedback=False, attachment_ids=None):
        # sudo: marking the activity done already proved the user's right to it;
        # the enrolment it belongs to only follows (its assignee may not be the
        # deal's salesperson).
        enrolments = (
            self.env["contoso.nurture.enrolment"]
            .sudo()
            .search([("activity_id", "in", self.ids), ("state", "=", "running")])
        )
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if enrolments:
            enrolments._step_done(fields.Date.context_today(self))
        return result
