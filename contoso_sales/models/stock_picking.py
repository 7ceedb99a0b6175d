from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # Same name and meaning as the field of Odoo's stock_delivery, which
    # Contoso does not install: the carrier's parcel number.
    carrier_tracking_ref = fields.Char(
        string="Tracking Reference",
        copy=False,
        help="The carrier's tracking number, shown to the reseller.",
    )
