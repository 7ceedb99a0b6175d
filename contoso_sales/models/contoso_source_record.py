from odoo import api, fields, models

from ..datahub.reader import SOURCES
from .contoso_import_batch import SOURCE_SELECTION


class ContosoSourceRecord(models.Model):
    """What the last import of one source record wrote, for survivorship.

    An import compares a row with this first: the same hash means the row did
    not change and the partner is not touched. Otherwise a field is updated
    only when the partner still holds the value last imported; a field a person
    changed since is kept and listed as a conflict of the batch.
    """

    _name = "contoso.source.record"
    _description = "Imported Source Record"
    _order = "source, key"
    _rec_name = "key"

    source = fields.Selection(
        SOURCE_SELECTION, string="Source", required=True, readonly=True
    )
    key = fields.Char(
        string="Key",
        required=True,
        readonly=True,
        help="ContactId of the row in the export.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        index=True,
        readonly=True,
        ondelete="cascade",
    )
    imported_values = fields.Json(
        string="Last Imported Values",
        readonly=True,
        help="The value of each field as the last import wrote or proposed it.",
    )
    row_hash = fields.Char(string="Row Hash", readonly=True)
    batch_id = fields.Many2one(
        "contoso.import.batch",
        string="Last Import",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    imported_values_text = fields.Text(
        string="Imported Values", compute="_compute_imported_values_text"
    )

    _source_key_uniq = models.UniqueIndex(
        "(source, key)", "A source record is kept once per source and key."
    )

    @api.depends("imported_values")
    def _compute_imported_values_text(self):
        labels = {}
        for source in SOURCES.values():
            for field_name in source.fields.values():
                model_field = self.env[source.model]._fields[field_name]
                labels[field_name] = model_field.string
        for record in self:
            record.imported_values_text = "\n".join(
                f"{labels.get(name, name)}: {value}"
                for name, value in sorted((record.imported_values or {}).items())
                if value is not None
            )
