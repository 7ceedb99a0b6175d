from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _action_send_mail(self, auto_commit=False):
        result = super()._action_send_mail(auto_commit=auto_commit)
        activity_id = self.env.context.get("contoso_nurture_activity_id")
        if activity_id:
            # The nurturing email step is done once its email is sent.
            activity = self.env["mail.activity"].browse(activity_id).exists()
            if activity.active:
                activity.action_feedback()
        return result
