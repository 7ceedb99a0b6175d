from odoo import fields, models


class ContosoProductConsumable(models.Model):
    """A consumable a product needs (battery, filter, SIM card) and how often."""

    _name = "contoso.product.consumable"
    _description = "Product Consumable"
    _order = "product_tmpl_id, id"

    product_tmpl_id = fields.Many2one(
        "product.template",
        string="Product",
        required=True,
        index=True,
        ondelete="cascade",
    )
    consumable_id = fields.Many2one(
        "product.product", string="Consumable", required=True, ondelete="restrict"
    )
    quantity = fields.Float(string="Quantity", default=1.0, required=True)
    interval_months = fields.Integer(
        string="Change Every (months)", help="Empty: when it is worn out."
    )
    note = fields.Char(string="Note", translate=True)

    _quantity_positive = models.Constraint(
        "CHECK (quantity > 0)", "A consumable's quantity must be more than 0."
    )
