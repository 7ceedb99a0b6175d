from odoo import fields, models


class ContosoNurtureEnrolmentLine(models.Model):
    _name = "contoso.nurture.enrolment.line"
    _description = "Nurturing Step Completion"
    _order = "enrolment_id, date_done, id"

    enrolment_id = fields.Many2one(
        "contoso.nurture.enrolment",
        string="Enrolment",
        required=True,
        ondelete="cascade",
        index=True,
    )
    step_id = fields.Many2one(
        "contoso.nurture.step", string="Step", ondelete="set null"
    )
    summary = fields.Char(string="Summary", required=True)
    date_due = fields.Date(string="Due Date")
    date_done = fields.Date(string="Done Date", required=True)
    user_id = fields.Many2one("res.users", string="Done By")
