from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    contoso_reseller_stock_display = fields.Selection(
        [("quantity", "Quantities"), ("band", "In stock / Low / Out")],
        string="Reseller Stock Display",
        default="band",
        required=True,
        help="What resellers see on their Stock tab: the available quantity, or "
        "only a band.",
    )
    contoso_reseller_low_stock = fields.Integer(
        string="Low Stock Below",
        default=10,
        help="Under this available quantity a product shows as 'Low' to resellers.",
    )
