from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

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
