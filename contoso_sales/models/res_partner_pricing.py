from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

MANAGER_GROUP = "contoso_sales.group_sales_manager"
# Fields a family's parent hands down to every subsidiary.
FAMILY_PRICING_FIELDS = (
    "specific_property_product_pricelist",
    "contoso_standard_discount",
)
EXCEPTION_FIELDS = ("contoso_pricing_exception", "contoso_pricing_exception_reason")


class ResPartner(models.Model):
    """Family pricing: the parent's pricelist and standard discount go to every
    subsidiary, unless a sales manager allowed an exception."""

    _inherit = "res.partner"

    contoso_standard_discount = fields.Float(
        string="Standard Discount (%)",
        digits="Discount",
        tracking=True,
        help="Discount this account gets on its deals. Set on a family's parent, "
        "it applies to every subsidiary.",
    )
    contoso_pricing_exception = fields.Boolean(
        string="Pricing Exception",
        tracking=True,
        copy=False,
        help="A sales manager allowed this subsidiary to keep its own pricelist "
        "and discount: the family's pricing no longer applies to it.",
    )
    contoso_pricing_exception_reason = fields.Text(
        string="Exception Reason",
        tracking=True,
        copy=False,
        help="Why this subsidiary keeps its own pricing; required for an exception.",
    )
    contoso_pricing_deviates = fields.Boolean(
        string="Deviates from Family Pricing",
        compute="_compute_contoso_pricing_deviates",
        search="_search_contoso_pricing_deviates",
        help="This subsidiary's pricelist or standard discount differs from its "
        "family parent's, and no exception was allowed.",
    )
    contoso_family_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Family Pricelist",
        compute="_compute_contoso_pricing_deviates",
    )
    contoso_family_discount = fields.Float(
        string="Family Discount (%)",
        digits="Discount",
        compute="_compute_contoso_pricing_deviates",
    )

    # -- Family pricing ------------------------------------------------------

    def _contoso_family_pricing(self):
        """{family parent: values to hand down} for the families of `self`."""
        roots = self.contoso_family_id
        return {
            root: {
                "specific_property_product_pricelist": (
                    root.specific_property_product_pricelist.id
                ),
                "contoso_standard_discount": root.contoso_standard_discount,
            }
            for root in roots
        }

    @api.depends(
        "contoso_family_id.specific_property_product_pricelist",
        "contoso_family_id.contoso_standard_discount",
        "specific_property_product_pricelist",
        "contoso_standard_discount",
        "contoso_pricing_exception",
    )
    @api.depends_context("company")
    def _compute_contoso_pricing_deviates(self):
        for partner in self:
            root = partner.contoso_family_id
            partner.contoso_family_pricelist_id = (
                root.specific_property_product_pricelist
            )
            partner.contoso_family_discount = root.contoso_standard_discount
            partner.contoso_pricing_deviates = bool(
                root
                and root != partner
                and not partner.contoso_pricing_exception
                and (
                    partner.specific_property_product_pricelist
                    != root.specific_property_product_pricelist
                    or partner.contoso_standard_discount
                    != root.contoso_standard_discount
                )
            )

    def _search_contoso_pricing_deviates(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        # One query: members of a family whose pricing differs from their parent's.
        Partner = self.env["res.partner"]
        Partner.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT p.id FROM res_partner p
                     JOIN res_partner r ON r.id = p.contoso_family_id AND r.id != p.id
                    WHERE p.contoso_pricing_exception IS NOT TRUE
                      AND (COALESCE(p.contoso_standard_discount, 0)
                               != COALESCE(r.contoso_standard_discount, 0)
                           OR %s IS DISTINCT FROM %s)""",
                Partner._field_to_sql("p", "specific_property_product_pricelist"),
                Partner._field_to_sql("r", "specific_property_product_pricelist"),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        wanted = (operator == "=") == value
        return Domain("id", "in" if wanted else "not in", ids)

    def _contoso_check_exception_rights(self, vals):
        if any(f in vals for f in EXCEPTION_FIELDS) and not self.env.user.has_group(
            MANAGER_GROUP
        ):
            names = ", ".join(self.mapped("display_name")) or vals.get("name", "")
            raise AccessError(
                self.env._(
                    "Only sales managers can allow or change a family pricing "
                    "exception (%(partners)s). Ask a sales manager.",
                    partners=names,
                )
            )

    @api.constrains("contoso_pricing_exception", "contoso_pricing_exception_reason")
    def _check_contoso_pricing_exception_reason(self):
        for partner in self:
            if (
                partner.contoso_pricing_exception
                and not (partner.contoso_pricing_exception_reason or "").strip()
            ):
                raise ValidationError(
                    self.env._(
                        "'%(partner)s': a pricing exception needs a reason. Write "
                        "why this subsidiary keeps its own pricing in 'Exception "
                        "Reason'.",
                        partner=partner.display_name,
                    )
                )

    @api.constrains("contoso_standard_discount")
    def _check_contoso_standard_discount(self):
        for partner in self:
            if not 0 <= partner.contoso_standard_discount <= 100:
                raise ValidationError(
                    self.env._(
                        "'%(partner)s': the standard discount must be between 0 "
                        "and 100%% (got %(discount)s%%).",
                        partner=partner.display_name,
                        discount=partner.contoso_standard_discount,
                    )
                )

    def _contoso_apply_family_pricing(self, force=False):
        """Give family members their parent's pricelist and discount, batched
        per family. Exceptions keep theirs unless `force`."""
        members = self.filtered(
            lambda p: (
                p.contoso_family_id
                and p.contoso_family_id != p
                and (force or not p.contoso_pricing_exception)
            )
        )
        pricing = members._contoso_family_pricing()
        for root, vals in pricing.items():
            todo = members.filtered(
                lambda p, root=root, vals=vals: (
                    p.contoso_family_id == root
                    and (
                        p.specific_property_product_pricelist.id
                        != vals["specific_property_product_pricelist"]
                        or p.contoso_standard_discount
                        != vals["contoso_standard_discount"]
                    )
                )
            )
            if todo:
                todo.with_context(contoso_family_sync=True).write(dict(vals))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._contoso_check_exception_rights(vals)
        partners = super().create(vals_list)
        # New subsidiaries follow their family unless created with their own.
        inherit = partners.browse(
            partner.id
            for partner, vals in zip(partners, vals_list, strict=True)
            if vals.get("parent_id")
            and not any(f in vals for f in FAMILY_PRICING_FIELDS)
            and "property_product_pricelist" not in vals
        )
        inherit._contoso_apply_family_pricing()
        return partners

    def write(self, vals):
        self._contoso_check_exception_rights(vals)
        result = super().write(vals)
        if self.env.context.get("contoso_family_sync"):
            return result
        if "parent_id" in vals:
            # The moved accounts and everything below them join the new family.
            self.search([("id", "child_of", self.ids)])._contoso_apply_family_pricing()
        if any(f in vals for f in FAMILY_PRICING_FIELDS):
            roots = self.filtered(lambda p: p.contoso_family_id == p)
            if roots:
                self.search(
                    [
                        ("contoso_family_id", "in", roots.ids),
                        ("id", "not in", roots.ids),
                    ]
                )._contoso_apply_family_pricing()
        return result

    def action_contoso_align_family(self):
        """Give the selected subsidiaries their family's pricing again; an
        exception on them is lifted (managers only)."""
        exceptions = self.filtered("contoso_pricing_exception")
        if exceptions:
            exceptions.write(
                {
                    "contoso_pricing_exception": False,
                    "contoso_pricing_exception_reason": False,
                }
            )
        self._contoso_apply_family_pricing(force=True)
        return True
