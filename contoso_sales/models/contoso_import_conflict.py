from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..datahub.survivorship import jsonable


class ContosoImportConflict(models.Model):
    """A field that a person changed in Odoo since the last import and that the
    file would overwrite: the import kept Odoo's value and lists it here."""

    _name = "contoso.import.conflict"
    _description = "Import Conflict"
    _order = "batch_id desc, key, id"
    _rec_name = "key"

    batch_id = fields.Many2one(
        "contoso.import.batch",
        string="Import",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="batch_id.company_id", store=True, index=True, string="Company"
    )
    key = fields.Char(string="Contact ID", required=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    field_name = fields.Char(string="Technical Field", required=True, readonly=True)
    field_label = fields.Char(
        string="Field", compute="_compute_field_label", readonly=True
    )
    odoo_value = fields.Char(
        string="Value in Odoo",
        readonly=True,
        help="The value a person set in Odoo since the last import; kept.",
    )
    file_value = fields.Char(string="Value in File", readonly=True)
    file_raw = fields.Json(string="File Value (Raw)", readonly=True)
    state = fields.Selection(
        [("open", "Odoo's value kept"), ("applied", "File's value applied")],
        string="Status",
        required=True,
        default="open",
        readonly=True,
        index=True,
    )

    @api.depends("field_name")
    def _compute_field_label(self):
        partner_fields = self.env["res.partner"]._fields
        for conflict in self:
            field = partner_fields.get(conflict.field_name)
            conflict.field_label = (
                field._description_string(self.env) if field else conflict.field_name
            )

    def action_apply_file_value(self):
        """Write the file's value on the contact, as the user: the import then
        treats it as the last imported value again."""
        applied = self.filtered(lambda c: c.state == "open")
        if self - applied:
            raise UserError(
                self.env._(
                    "The file's value of %(field)s on %(contact)s is already "
                    "applied: nothing to do.",
                    field=(self - applied)[0].field_label,
                    contact=(self - applied)[0].partner_id.display_name,
                )
            )
        applied._check_still_current()
        by_partner = defaultdict(dict)
        for conflict in applied:
            by_partner[conflict.partner_id][conflict.field_name] = (
                conflict.file_raw or {}
            ).get("value")
        # The user's own rights decide whether the contact may be changed.
        for partner, vals in by_partner.items():
            partner.write(vals)
        records = self.env["contoso.source.record"].search(
            [("source", "=", "contacts"), ("key", "in", applied.mapped("key"))]
        )
        for record in records:
            imported = dict(record.imported_values or {})
            imported.update(by_partner[record.partner_id])
            # The source record is the import's bookkeeping: its write right is
            # the import's, the user's right to change the contact was checked.
            record.sudo().imported_values = imported
        applied.sudo().state = "applied"  # bookkeeping, see above
        return True

    def _check_still_current(self):
        """A conflict shows the values of the moment it was listed. Applied
        later, it must neither overwrite a value a person set since, nor bring
        back a file value that a later import replaced."""
        newest = {}
        for conflict in self.search(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("field_name", "in", list(set(self.mapped("field_name")))),
            ]
        ):
            slot = (conflict.partner_id, conflict.field_name)
            if slot not in newest or conflict.id > newest[slot].id:
                newest[slot] = conflict
        for conflict in self:
            partner, name = conflict.partner_id, conflict.field_name
            latest = newest[partner, name]
            if latest.id > conflict.id:
                raise UserError(
                    self.env._(
                        "The file's value %(value)s of %(field)s on %(contact)s is "
                        "outdated: the import %(batch)s brings %(newer)s. Apply "
                        "that import's conflict instead.",
                        value=conflict.file_value,
                        field=conflict.field_label,
                        contact=partner.display_name,
                        batch=latest.batch_id.name,
                        newer=latest.file_value,
                    )
                )
            value = partner[name]
            raw = value.id if isinstance(value, models.BaseModel) else jsonable(value)
            now = conflict.batch_id._display_values([(name, raw)])(name, raw)
            if now != (conflict.odoo_value or ""):
                raise UserError(
                    self.env._(
                        "%(field)s of %(contact)s was changed to %(now)s after the "
                        "import listed this conflict (Odoo's value was then "
                        "%(then)s): import the file again to compare with it, or "
                        "edit the contact.",
                        field=conflict.field_label,
                        contact=partner.display_name,
                        now=now or "—",
                        then=conflict.odoo_value or "—",
                    )
                )
