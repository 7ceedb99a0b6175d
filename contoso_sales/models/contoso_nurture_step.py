from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .contoso_nurture_enrolment import RUNNING_STATES


class ContosoNurtureStep(models.Model):
    _name = "contoso.nurture.step"
    _description = "Nurturing Step"
    _order = "cadence_id, sequence, id"

    cadence_id = fields.Many2one(
        "contoso.nurture.cadence",
        string="Cadence",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(string="Order", default=10)
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity Type",
        required=True,
        ondelete="restrict",
    )
    summary = fields.Char(string="Summary", required=True, translate=True)
    delay_days = fields.Integer(
        string="Delay (days)",
        default=0,
        help="Calendar days after the previous step is done. The first step is "
        "due on the day of enrolment.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'crm.lead')]",
        help="Set for email steps: the email composer opens pre-filled from it, "
        "and sending the email marks the step done.",
    )
    responsible = fields.Selection(
        [("salesperson", "Deal's salesperson"), ("user", "Specific user")],
        string="Done By",
        required=True,
        default="salesperson",
    )
    user_id = fields.Many2one(
        "res.users",
        string="User",
        domain="[('share', '=', False)]",
        help="Who does the step when it is not the deal's salesperson.",
    )

    _delay_positive = models.Constraint(
        "CHECK(delay_days >= 0)",
        "A nurturing step's delay cannot be negative.",
    )

    @api.depends("sequence", "summary")
    def _compute_display_name(self):
        for step in self:
            step.display_name = step.summary or step.activity_type_id.name

    def unlink(self):
        # sudo: the cadence is the company's; every enrolment on a removed step,
        # whoever's deal, goes on with the next step rather than restart.
        enrolments = (
            self.env["contoso.nurture.enrolment"]
            .sudo()
            .search([("step_id", "in", self.ids), ("state", "in", RUNNING_STATES)])
        )
        enrolments._step_removed(self)
        return super().unlink()

    @api.constrains("responsible", "user_id")
    def _check_user(self):
        for step in self:
            if step.responsible == "user" and not step.user_id:
                raise ValidationError(
                    self.env._(
                        "Nurturing step '%(step)s' is done by a specific user: "
                        "choose the user, or let the deal's salesperson do it.",
                        step=step.summary,
                    )
                )
