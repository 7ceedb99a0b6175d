from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"  # pylint: disable=consider-merging-classes-inherited

    def _action_done(self, feedback=False, attachment_ids=None):
        # sudo: marking the activity done already proved the user's right to it;
        # the callback request it belongs to only follows.
        requests = (
            self.env["contoso.callback.request"]
            .sudo()
            .search([("activity_id", "in", self.ids), ("state", "=", "requested")])
        )
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if requests:
            requests._mark_done()
        return result
