from odoo import fields, models
from odoo.tools import SQL


class ContosoCustomer(models.Model):
    """One line per customer with spend per channel: a query, so it is right
    after every import and every order without any recomputation.

    Spend is revenue as the family roll-ups define it (contoso.family.report:
    untaxed, in the company currency), of the customer across every
    salesperson, but only of the user's allowed companies, converted into the
    current company's currency."""

    _name = "contoso.customer"
    _description = "Customer"
    _auto = False
    _order = "spend_total desc, id"
    _rec_name = "name"
    # The ORM flushes these (and what the revenue view reads) before querying.
    _depends = {
        "res.partner": [
            "name",
            "email",
            "active",
            "is_company",
            "company_id",
            "contoso_contact_ref",
        ],
        "contoso.family.report": ["customer_id", "company_id", "amount", "date"],
        "contoso.purchase": ["partner_id", "company_id", "amount_company", "date"],
        "contoso.loyalty.member": ["partner_id", "loyalty_ref", "points"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    name = fields.Char(string="Name", readonly=True)
    email = fields.Char(string="E-mail", readonly=True)
    contact_ref = fields.Char(string="Contact ID", readonly=True)
    loyalty_ref = fields.Char(string="Loyalty ID", readonly=True)
    points = fields.Integer(string="Loyalty Points", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    spend_crm = fields.Monetary(
        string="CRM Orders",
        readonly=True,
        help="Confirmed sales orders and posted invoices that do not come from an "
        "order, untaxed.",
    )
    spend_shop = fields.Monetary(string="Shop", readonly=True)
    spend_web = fields.Monetary(string="Web", readonly=True)
    spend_total = fields.Monetary(string="Total Spend", readonly=True)
    purchase_count = fields.Integer(string="Purchases", readonly=True)
    first_purchase = fields.Date(string="First Purchase", readonly=True)
    last_purchase = fields.Date(string="Last Purchase", readonly=True)

    @property
    def _table_query(self):
        # Built for the user who reads: their allowed companies, each company's
        # amounts at its rate into the current company's currency. Record rules
        # of the revenue view (own revenue for salespeople) do not apply: a
        # customer's whole spend is what Customer 360 shows to every salesperson.
        # A shared contact's loyalty cards are each company's own: only those
        # of the allowed companies count.
        # Orders and invoices (few) are added up live, as the revenue view
        # defines them; imported purchases (many) come from their totals per
        # customer and company, which triggers keep equal to the purchases
        # (contoso_purchase_totals.py).
        Report = self.env["contoso.family.report"]
        rates = Report._company_rates()
        company_rates = SQL(", ").join(
            SQL("(%s, %s::numeric)", company_id, rate)
            for company_id, rate in rates.items()
        )
        if len(rates) == 1:
            # One company (most users): one row of totals per customer, no
            # grouping of the whole table.
            purchases = SQL(
                """
                SELECT t.partner_id, t.spend_shop * %(rate)s::numeric AS shop,
                       t.spend_web * %(rate)s::numeric AS web,
                       t.purchase_count AS count,
                       t.first_date, t.last_date
                  FROM contoso_purchase_total t
                 WHERE t.company_id = %(company)s
                """,
                rate=next(iter(rates.values())),
                company=next(iter(rates)),
            )
        else:
            purchases = SQL(
                """
                SELECT t.partner_id, SUM(t.spend_shop * fx.rate) AS shop,
                       SUM(t.spend_web * fx.rate) AS web,
                       SUM(t.purchase_count) AS count,
                       MIN(t.first_date) AS first_date,
                       MAX(t.last_date) AS last_date
                  FROM contoso_purchase_total t
                  JOIN (VALUES %s) fx (company_id, rate)
                    ON fx.company_id = t.company_id
                 GROUP BY t.partner_id
                """,
                company_rates,
            )
        return SQL(
            """
               SELECT p.id, p.id AS partner_id, p.name, p.email,
                      p.contoso_contact_ref AS contact_ref, lm.loyalty_ref,
                      COALESCE(lm.points, 0) AS points,
                      %(currency)s AS currency_id,
                      COALESCE(crm.amount, 0) AS spend_crm,
                      COALESCE(pt.shop, 0) AS spend_shop,
                      COALESCE(pt.web, 0) AS spend_web,
                      COALESCE(crm.amount, 0) + COALESCE(pt.shop, 0)
                          + COALESCE(pt.web, 0) AS spend_total,
                      (COALESCE(crm.count, 0) + COALESCE(pt.count, 0))::integer
                          AS purchase_count,
                      LEAST(crm.first_date, pt.first_date) AS first_purchase,
                      GREATEST(crm.last_date, pt.last_date) AS last_purchase
                 FROM res_partner p
            LEFT JOIN (SELECT r.customer_id,
                              SUM(r.amount * fx.rate) AS amount,
                              COUNT(DISTINCT (r.source, r.document_id)) AS count,
                              MIN(r.date) AS first_date,
                              MAX(r.date) AS last_date
                         FROM (%(orders)s UNION ALL %(invoices)s) r
                         JOIN res_partner acc ON acc.id = r.partner_id
                         JOIN (VALUES %(rates)s) fx (company_id, rate)
                           ON fx.company_id = r.company_id
                        GROUP BY r.customer_id) crm ON crm.customer_id = p.id
            LEFT JOIN (%(purchases)s) pt ON pt.partner_id = p.id
            LEFT JOIN (SELECT partner_id,
                              STRING_AGG(loyalty_ref, ', ' ORDER BY loyalty_ref)
                                  AS loyalty_ref,
                              SUM(points) AS points
                         FROM contoso_loyalty_member
                        WHERE company_id IN %(companies)s
                        GROUP BY partner_id) lm ON lm.partner_id = p.id
                WHERE p.active AND NOT p.is_company
                  AND (p.company_id IS NULL OR p.company_id IN %(companies)s)
                  AND (p.contoso_contact_ref IS NOT NULL
                       OR crm.customer_id IS NOT NULL
                       OR pt.partner_id IS NOT NULL
                       OR lm.partner_id IS NOT NULL)
            """,
            currency=self.env.company.currency_id.id,
            rates=company_rates,
            companies=tuple(rates),
            orders=Report._select_orders(),
            invoices=Report._select_invoices(),
            purchases=purchases,
        )

    def action_open_partner(self):
        """A row of the list opens the partner form, where Customer 360 is."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
