from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from ..datahub.normalise import name_key

MANAGER_GROUP = "contoso_sales.group_sales_manager"
# Fields a family's parent hands down to every subsidiary.
FAMILY_PRICING_FIELDS = (
    "specific_property_product_pricelist",
    "contoso_standard_discount",
)
EXCEPTION_FIELDS = ("contoso_pricing_exception", "contoso_pricing_exception_reason")
CUSTOMER_FIELDS = {
    "contoso_spend_crm": "spend_crm",
    "contoso_spend_shop": "spend_shop",
    "contoso_spend_web": "spend_web",
    "contoso_spend_total": "spend_total",
    "contoso_loyalty_ref": "loyalty_ref",
    "contoso_loyalty_points": "points",
    "contoso_first_purchase": "first_purchase",
    "contoso_last_purchase": "last_purchase",
    "contoso_purchase_count": "purchase_count",
}


class ResPartner(models.Model):
    """Customer 360 (the partner as the four Contoso systems know it) and
    account families (hierarchy roll-ups, family pricing)."""

    _inherit = "res.partner"

    contoso_contact_ref = fields.Char(
        string="Contoso Contact ID",
        copy=False,
        help="ContactId of this person in the Contacts export. Imports update the "
        "contact with this id.",
    )
    contoso_birthdate = fields.Date(string="Date of Birth", index=True)
    contoso_name_key = fields.Char(
        string="Name Key",
        compute="_compute_contoso_name_key",
        store=True,
        index=True,
        help="The name without accents, case or word order: loyalty matching "
        "compares it.",
    )
    contoso_purchase_ids = fields.One2many(
        "contoso.purchase", "partner_id", string="Shop and Web Purchases"
    )
    contoso_loyalty_member_ids = fields.One2many(
        "contoso.loyalty.member", "partner_id", string="Loyalty Cards"
    )
    contoso_spend_crm = fields.Monetary(
        string="CRM Orders",
        compute="_compute_contoso_customer",
        currency_field="contoso_currency_id",
        help="Total of the confirmed sales orders.",
    )
    contoso_spend_shop = fields.Monetary(
        string="Shop",
        compute="_compute_contoso_customer",
        currency_field="contoso_currency_id",
    )
    contoso_spend_web = fields.Monetary(
        string="Web",
        compute="_compute_contoso_customer",
        currency_field="contoso_currency_id",
    )
    contoso_spend_total = fields.Monetary(
        string="Total Spend",
        compute="_compute_contoso_customer",
        currency_field="contoso_currency_id",
    )
    contoso_loyalty_ref = fields.Char(
        string="Loyalty ID", compute="_compute_contoso_customer"
    )
    contoso_loyalty_points = fields.Integer(
        string="Loyalty Points", compute="_compute_contoso_customer"
    )
    contoso_first_purchase = fields.Date(
        string="First Purchase", compute="_compute_contoso_customer"
    )
    contoso_last_purchase = fields.Date(
        string="Last Purchase", compute="_compute_contoso_customer"
    )
    contoso_purchase_count = fields.Integer(
        string="Purchases", compute="_compute_contoso_customer"
    )

    _contoso_contact_ref_uniq = models.UniqueIndex(
        "(contoso_contact_ref) WHERE contoso_contact_ref IS NOT NULL",
        "Another contact already has this Contoso Contact ID: each ContactId "
        "belongs to one person.",
    )

    @api.depends("name")
    def _compute_contoso_name_key(self):
        for partner in self:
            partner.contoso_name_key = name_key(partner.name or "") or False

    def _compute_contoso_customer(self):
        # One query for all partners of the form or list, whatever their number.
        ids = [pid for pid in self.ids if pid]
        rows = {}
        if ids:
            customers = (
                self.env["contoso.customer"]
                .sudo()  # aggregates of the partner's own purchases, read-only view
                .search_read([("id", "in", ids)], list(CUSTOMER_FIELDS.values()))
            )
            rows = {row["id"]: row for row in customers}
        for partner in self:
            row = rows.get(partner.id, {})
            for field_name, column in CUSTOMER_FIELDS.items():
                partner[field_name] = row.get(column) or False

    # -- Account families ------------------------------------------------------

    # -- Family tree ---------------------------------------------------------

    contoso_family_id = fields.Many2one(
        "res.partner",
        string="Family",
        compute="_compute_contoso_family_id",
        store=True,
        recursive=True,
        index=True,
        help="The ultimate parent of this account: the top of its tree of parent "
        "companies. A company without parent is its own family.",
    )
    contoso_family_member_ids = fields.One2many(
        "res.partner",
        "contoso_family_id",
        string="Family Members",
        help="Every account of the family, the parent included.",
    )
    contoso_family_company_count = fields.Integer(
        string="Companies in Family",
        compute="_compute_contoso_family_company_count",
    )

    # -- Revenue roll-ups ----------------------------------------------------

    # the currency of both the Customer 360 spend and the family roll-ups
    contoso_currency_id = fields.Many2one(
        "res.currency",
        string="Company Currency",
        compute="_compute_contoso_currency_id",
    )
    contoso_revenue = fields.Monetary(
        string="Own Revenue",
        currency_field="contoso_currency_id",
        compute="_compute_contoso_revenue",
        help="Confirmed sales orders, posted invoices that do not come from an "
        "order, and shop or web purchases of this account and its contacts, in "
        "the company currency, over the last 12 months unless a period is chosen.",
    )
    contoso_family_revenue = fields.Monetary(
        string="Family Revenue",
        currency_field="contoso_currency_id",
        compute="_compute_contoso_revenue",
        help="The revenue of every account of the family, over the same period.",
    )

    # -- Family pricing ------------------------------------------------------

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

    @api.depends("parent_id", "parent_id.contoso_family_id")
    def _compute_contoso_family_id(self):
        for partner in self:
            # Walk up rather than trusting the parent's value: the parents of a
            # batch may be recomputed in the same pass. `seen` stops on a cycle,
            # which _check_parent_id refuses right after.
            root, seen = partner, set()
            while root.parent_id and root.id not in seen:
                seen.add(root.id)
                root = root.parent_id
            partner.contoso_family_id = root

    @api.depends("contoso_family_id")
    def _compute_contoso_family_company_count(self):
        families = self.contoso_family_id.filtered("id")
        counts = dict(
            self.env["res.partner"]._read_group(
                [("contoso_family_id", "in", families.ids), ("is_company", "=", True)],
                ["contoso_family_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.contoso_family_company_count = counts.get(
                partner.contoso_family_id, 0
            )

    @api.depends_context("company")
    def _compute_contoso_currency_id(self):
        self.contoso_currency_id = self.env.company.currency_id

    @api.model
    def _contoso_revenue_period(self):
        """The period of the roll-ups: `contoso_date_from`/`contoso_date_to` in
        the context, else the last 12 months."""
        date_to = self.env.context.get("contoso_date_to")
        date_from = self.env.context.get("contoso_date_from")
        if not date_from and not date_to:
            today = fields.Date.context_today(self)
            return today - relativedelta(years=1) + relativedelta(days=1), today
        return (
            date_from and fields.Date.to_date(date_from),
            date_to and fields.Date.to_date(date_to),
        )

    @api.model
    def _contoso_revenue_domain(self):
        date_from, date_to = self._contoso_revenue_period()
        domain = Domain.TRUE
        if date_from:
            domain &= Domain("date", ">=", date_from)
        if date_to:
            domain &= Domain("date", "<=", date_to)
        return domain

    @api.depends_context("company", "uid", "contoso_date_from", "contoso_date_to")
    def _compute_contoso_revenue(self):
        # Two grouped queries whatever the number of accounts: one by account,
        # one by family. The report's record rules apply, so a salesperson
        # only adds up what they may see.
        Report = self.env["contoso.family.report"]
        period = self._contoso_revenue_domain()
        partners = self._origin.filtered("id")
        own = dict(
            Report._read_group(
                period & Domain("partner_id", "in", partners.ids),
                ["partner_id"],
                ["amount:sum"],
            )
        )
        families = partners.contoso_family_id
        family = dict(
            Report._read_group(
                period & Domain("family_id", "in", families.ids),
                ["family_id"],
                ["amount:sum"],
            )
        )
        for partner in self:
            origin = partner._origin
            partner.contoso_revenue = own.get(origin, 0.0)
            partner.contoso_family_revenue = family.get(origin.contoso_family_id, 0.0)

    # -- Cycles --------------------------------------------------------------

    @api.constrains("parent_id")
    def _check_parent_id(self):
        # Odoo's own message names nobody: say which account, which parent, and
        # the path that would loop.
        for partner in self:
            if not partner._has_cycle():
                continue
            parent = partner.parent_id
            if parent == partner:
                raise ValidationError(
                    self.env._(
                        "'%(partner)s' cannot be its own parent company. Choose "
                        "another parent or none.",
                        partner=partner.name,
                    )
                )
            chain, node = [parent], parent.parent_id
            while node and node != partner and node not in chain:
                chain.append(node)
                node = node.parent_id
            raise ValidationError(
                self.env._(
                    "'%(partner)s' cannot have '%(parent)s' as parent company: "
                    "'%(parent)s' already belongs to '%(partner)s' (%(path)s), so "
                    "the family tree would loop. Choose a parent that is not one "
                    "of its subsidiaries.",
                    partner=partner.name,
                    parent=parent.name,
                    path=" › ".join(p.name for p in [partner, *reversed(chain)]),
                )
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

    # -- White space ---------------------------------------------------------

    def action_contoso_white_space(self):
        self.ensure_one()
        family = self.contoso_family_id or self
        return {
            "type": "ir.actions.client",
            "tag": "contoso_white_space",
            "name": self.env._("White Space: %(family)s", family=family.display_name),
            "params": {"family_id": family.id},
            "context": {"active_id": family.id},
        }

    def action_contoso_family_report(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "contoso_sales.contoso_family_report_action"
        )
        action["domain"] = [("family_id", "=", self.contoso_family_id.id)]
        action["context"] = {"group_by": ["partner_id"]}
        return action
