from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    contoso_tech_check_threshold = fields.Monetary(
        string="Tech Check Threshold",
        currency_field="currency_id",
        default=20000.0,
        help="Deals worth more than this (in the company currency) need a passed "
        "tech check before they can enter Close or be marked won.",
    )
    contoso_nurture_auto_enrol = fields.Boolean(
        string="Enrol Corporate Deals in Nurturing",
        default=True,
        help="Leads and deals created or assigned for a corporate customer start "
        "the nurturing cadence by themselves.",
    )
    contoso_nurture_auto_send = fields.Boolean(
        string="Send Nurturing Emails Automatically",
        default=False,
        help="A scheduled action sends the emails of nurturing email steps on "
        "their due date, instead of the salesperson sending them.",
    )
