from odoo import api, fields, models


class ContosoInstallationSheetLine(models.Model):
    _name = "contoso.installation.sheet.line"
    _description = "Installation Sheet Line"
    _order = "sheet_id, id"

    sheet_id = fields.Many2one(
        "contoso.installation.sheet",
        string="Installation Sheet",
        required=True,
        index=True,
        ondelete="cascade",
    )
    product_id = fields.Many2one(
        "product.product", string="Product", required=True, ondelete="restrict"
    )
    serial_number = fields.Char(string="Serial Number")
    quantity = fields.Float(string="Quantity", default=1.0, required=True)

    _quantity_positive = models.Constraint(
        "CHECK (quantity > 0)", "An installed quantity must be more than 0."
    )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.sheet_id._check_open()
        return lines

    def write(self, vals):
        # Access first: the error of _check_open names the sheet.
        self.check_access("write")
        self.sheet_id._check_open()
        result = super().write(vals)
        self.sheet_id._check_open()
        return result

    def unlink(self):
        self.check_access("unlink")
        self.sheet_id._check_open()
        return super().unlink()
