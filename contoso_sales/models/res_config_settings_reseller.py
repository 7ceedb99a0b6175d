from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    contoso_reseller_stock_display = fields.Selection(
        related="company_id.contoso_reseller_stock_display", readonly=False
    )
    contoso_reseller_low_stock = fields.Integer(
        related="company_id.contoso_reseller_low_stock", readonly=False
    )
