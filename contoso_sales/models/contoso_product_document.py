from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ContosoProductDocument(models.Model):
    """A document about a product: quick start, user manual, installer sheet."""

    _name = "contoso.product.document"
    _description = "Product Document"
    _order = "product_tmpl_id, sequence, id"

    name = fields.Char(string="Title", required=True, translate=True)
    sequence = fields.Integer(string="Sequence", default=10)
    product_tmpl_id = fields.Many2one(
        "product.template",
        string="Product",
        required=True,
        index=True,
        ondelete="cascade",
    )
    doc_type = fields.Selection(
        [
            ("quick_start", "Quick Start"),
            ("user_manual", "User Manual"),
            ("installer_sheet", "Installer Sheet"),
        ],
        string="Type",
        required=True,
        default="user_manual",
    )
    resellers_only = fields.Boolean(
        string="Resellers Only",
        compute="_compute_resellers_only",
        store=True,
        help="Installer sheets are for resellers and installers, not customers.",
    )
    url = fields.Char(string="Link", help="Where the document is published.")
    datas = fields.Binary(string="File", attachment=True)
    filename = fields.Char(string="File Name")

    @api.depends("doc_type")
    def _compute_resellers_only(self):
        for document in self:
            document.resellers_only = document.doc_type == "installer_sheet"

    @api.constrains("url", "datas")
    def _check_content(self):
        for document in self:
            if not document.url and not document.datas:
                raise ValidationError(
                    self.env._(
                        "Document '%(name)s' of %(product)s has neither a link nor "
                        "a file. Add one of them.",
                        name=document.name,
                        product=document.product_tmpl_id.display_name,
                    )
                )
            # The link is an href on the portal pages: a javascript: or data:
            # link would run in the customer's session.
            if document.url and not document.url.lower().startswith(
                ("https://", "http://")
            ):
                raise ValidationError(
                    self.env._(
                        "Document '%(name)s' of %(product)s: the link %(url)s must "
                        "start with https:// or http://.",
                        name=document.name,
                        product=document.product_tmpl_id.display_name,
                        url=document.url,
                    )
                )
