from odoo import fields, models


class ContosoFailureCode(models.Model):
    """A failure a product shows, and what to do about it."""

    _name = "contoso.failure.code"
    _description = "Failure Code"
    _order = "product_tmpl_id, code"
    _rec_name = "code"

    product_tmpl_id = fields.Many2one(
        "product.template",
        string="Product",
        required=True,
        index=True,
        ondelete="cascade",
    )
    code = fields.Char(string="Code", required=True)
    symptom = fields.Char(string="Symptom", required=True, translate=True)
    resolution = fields.Text(
        string="Resolution Procedure", required=True, translate=True
    )
    technician_required = fields.Boolean(
        string="Technician Must Come",
        help="The customer cannot fix it himself: book a technician.",
    )

    _code_uniq = models.UniqueIndex(
        "(product_tmpl_id, code)",
        "A failure code appears once per product.",
    )
