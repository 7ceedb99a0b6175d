from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    contoso_tech_check_threshold = fields.Monetary(
        related="company_id.contoso_tech_check_threshold",
        readonly=False,
        currency_field="currency_id",
    )
    contoso_nurture_auto_enrol = fields.Boolean(
        related="company_id.contoso_nurture_auto_enrol", readonly=False
    )
    contoso_nurture_auto_send = fields.Boolean(
        related="company_id.contoso_nurture_auto_send", readonly=False
    )
