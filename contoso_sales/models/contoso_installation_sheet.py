from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class ContosoInstallationSheet(models.Model):
    """The document a reseller completes for an installation and leaves with
    the customer: who, what (serial numbers), maintenance points, consumables.

    The reseller is the commercial partner of the portal user who created the
    sheet; a done sheet is frozen.
    """

    _name = "contoso.installation.sheet"
    _inherit = ["portal.mixin", "mail.thread"]
    _description = "Installation Sheet"
    _order = "date desc, id desc"

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    reseller_id = fields.Many2one(
        "res.partner",
        string="Reseller",
        required=True,
        index=True,
        ondelete="restrict",
        domain=[("contoso_reseller", "=", True)],
        tracking=True,
    )
    customer_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
    )
    date = fields.Date(
        string="Installed On", required=True, default=fields.Date.context_today
    )
    line_ids = fields.One2many(
        "contoso.installation.sheet.line", "sheet_id", string="Products", copy=True
    )
    maintenance_points = fields.Text(
        string="Maintenance Points", help="What the customer must check, and when."
    )
    consumables = fields.Text(
        string="Consumables to Change", help="Which consumables, and when."
    )
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done")],
        string="Status",
        default="draft",
        required=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )

    def _compute_access_url(self):
        for sheet in self:
            sheet.access_url = f"/my/installations/{sheet.id}"

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Installation sheet %(sheet)s", sheet=self.name)

    @api.constrains("reseller_id")
    def _check_reseller(self):
        for sheet in self:
            if not sheet.reseller_id.contoso_reseller:
                raise ValidationError(
                    self.env._(
                        "Installation sheet %(sheet)s: %(partner)s is not a Contoso "
                        "reseller. Tick 'Contoso Reseller' on its form first.",
                        sheet=sheet.name,
                        partner=sheet.reseller_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # Access first: the sequence below is not the portal's to read.
        self.check_access("create")
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("contoso.installation.sheet")
                    or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        # Access first: the error below names the sheet.
        self.check_access("write")
        frozen = self.filtered(lambda s: s.state == "done")
        # A done sheet stays done: setting it back to draft would reopen what
        # the customer already holds on paper.
        if frozen and (
            set(vals) - {"state", "message_main_attachment_id"}
            or vals.get("state", "done") != "done"
        ):
            raise UserError(
                self.env._(
                    "Installation sheet %(sheet)s is done: it was left with the "
                    "customer and cannot change. Create a new sheet instead.",
                    sheet=frozen[0].name,
                )
            )
        return super().write(vals)

    def _check_open(self):
        done = self.filtered(lambda s: s.state == "done")
        if done:
            raise UserError(
                self.env._(
                    "Installation sheet %(sheet)s is done: its products cannot "
                    "change. Create a new sheet instead.",
                    sheet=done[0].name,
                )
            )

    def action_done(self):
        for sheet in self:
            if not sheet.line_ids:
                raise UserError(
                    self.env._(
                        "Installation sheet %(sheet)s has no product. Add the "
                        "installed products and their serial numbers first.",
                        sheet=sheet.name,
                    )
                )
        self.write({"state": "done"})
