from odoo import api, fields, models

from ..datahub.normalise import name_key

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
    """Customer 360: the partner as the four Contoso systems know it."""

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
    # Customer 360 is for sales: the aggregates read contoso.customer, whose
    # spend covers the user's allowed companies only (see contoso_customer.py).
    contoso_spend_crm = fields.Monetary(
        string="CRM Orders",
        compute="_compute_contoso_customer",
        currency_field="contoso_currency_id",
        groups="sales_team.group_sale_salesman",
        help="Confirmed sales orders and posted invoices that do not come from an "
        "order, untaxed, in the company currency.",
    )
    contoso_spend_shop = fields.Monetary(
        string="Shop",
        compute="_compute_contoso_customer",
        currency_field="contoso_currency_id",
        groups="sales_team.group_sale_salesman",
    )
    contoso_spend_web = fields.Monetary(
        string="Web",
        compute="_compute_contoso_customer",
        currency_field="contoso_currency_id",
        groups="sales_team.group_sale_salesman",
    )
    contoso_spend_total = fields.Monetary(
        string="Total Spend",
        compute="_compute_contoso_customer",
        currency_field="contoso_currency_id",
        groups="sales_team.group_sale_salesman",
    )
    contoso_loyalty_ref = fields.Char(
        string="Loyalty ID",
        compute="_compute_contoso_customer",
        groups="sales_team.group_sale_salesman",
    )
    contoso_loyalty_points = fields.Integer(
        string="Loyalty Points",
        compute="_compute_contoso_customer",
        groups="sales_team.group_sale_salesman",
    )
    contoso_first_purchase = fields.Date(
        string="First Purchase",
        compute="_compute_contoso_customer",
        groups="sales_team.group_sale_salesman",
    )
    contoso_last_purchase = fields.Date(
        string="Last Purchase",
        compute="_compute_contoso_customer",
        groups="sales_team.group_sale_salesman",
    )
    contoso_purchase_count = fields.Integer(
        string="Purchases",
        compute="_compute_contoso_customer",
        groups="sales_team.group_sale_salesman",
    )

    _contoso_contact_ref_uniq = models.UniqueIndex(
        "(contoso_contact_ref) WHERE contoso_contact_ref IS NOT NULL",
        "Another contact already has this Contoso Contact ID: each ContactId "
        "belongs to one person.",
    )
    # The loyalty matching looks contacts up by normalised e-mail and by name
    # token (contoso.loyalty.member._match_candidates): without these, each
    # import chunk scanned every partner.
    _contoso_email_normalized_idx = models.Index(
        "(email_normalized) WHERE email_normalized IS NOT NULL"
    )
    _contoso_name_tokens_idx = models.Index(
        "USING gin (string_to_array(contoso_name_key, ' '))"
    )

    @api.depends("name")
    def _compute_contoso_name_key(self):
        for partner in self:
            partner.contoso_name_key = name_key(partner.name or "") or False

    @api.depends_context("company", "allowed_company_ids", "uid")
    def _compute_contoso_customer(self):
        # One query for all partners of the form or list, whatever their number;
        # as the user, so the companies are theirs.
        ids = [pid for pid in self.ids if pid]
        rows = {}
        if ids:
            # Its rows depend on the user's companies: drop what another
            # company selection left in the cache.
            self.env["contoso.customer"].invalidate_model()
            customers = self.env["contoso.customer"].search_read(
                [("id", "in", ids)], list(CUSTOMER_FIELDS.values())
            )
            rows = {row["id"]: row for row in customers}
        for partner in self:
            row = rows.get(partner.id, {})
            for field_name, column in CUSTOMER_FIELDS.items():
                partner[field_name] = row.get(column) or False
