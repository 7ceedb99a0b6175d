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
