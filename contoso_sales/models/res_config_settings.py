from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    contoso_tech_check_threshold = fields.Monetary(
        related="company_id.contoso_tech_check_threshold",
        readonly=False,
        currency_field="currency_id",
    )
