from odoo import fields, models


class ContosoImportError(models.Model):
    """A row of an import file that was not imported, or imported with a warning."""

    _name = "contoso.import.error"
    _description = "Import Row Error"
    _order = "batch_id, line, id"

    batch_id = fields.Many2one(
        "contoso.import.batch",
        string="Import",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="batch_id.company_id", store=True, index=True, string="Company"
    )
    line = fields.Integer(string="Line", help="Line of the row in the file.")
    kind = fields.Selection(
        [("error", "Not imported"), ("warning", "Imported without customer")],
        string="Kind",
        required=True,
        default="error",
    )
    reason = fields.Char(string="Reason", required=True)
    cells = fields.Json(string="Original Columns")
