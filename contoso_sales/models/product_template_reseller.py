from odoo import fields, models


class ProductTemplate(models.Model):
    """Product documentation, failure codes and consumables, and whether the
    resellers may order the product."""

    _inherit = "product.template"

    contoso_sold_to_resellers = fields.Boolean(
        string="Sold to Resellers",
        help="Resellers see this product on their Stock and Documentation tabs.",
    )
    contoso_document_ids = fields.One2many(
        "contoso.product.document", "product_tmpl_id", string="Contoso Documents"
    )
    contoso_failure_code_ids = fields.One2many(
        "contoso.failure.code", "product_tmpl_id", string="Failure Codes"
    )
    contoso_consumable_ids = fields.One2many(
        "contoso.product.consumable", "product_tmpl_id", string="Consumables"
    )
