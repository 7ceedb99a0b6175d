from odoo import api, fields, models, tools
from odoo.tools import SQL


class ContosoFamilyReport(models.Model):
    """Revenue, the addon's one definition of it: confirmed sales orders, posted
    customer invoices (less refunds) that do not come from an order, and imported
    shop and web purchases; untaxed, in the company currency. The family roll-ups,
    Top Customers, the white space and Customer 360 all read this view."""

    _name = "contoso.family.report"
    _description = "Top Customers: revenue by account and family"
    _auto = False
    _rec_name = "partner_id"
    _order = "date desc, id desc"
    # What the view reads: the ORM flushes these before querying it.
    _depends = {
        "sale.order": [
            "state",
            "date_order",
            "partner_id",
            "company_id",
            "user_id",
            "currency_rate",
        ],
        "sale.order.line": [
            "order_id",
            "product_id",
            "product_uom_qty",
            "price_subtotal",
            "display_type",
            "invoice_lines",
        ],
        "contoso.purchase": [
            "partner_id",
            "date",
            "company_id",
            "currency_id",
            "amount_total",
            "amount_company",
            "channel",
        ],
        "account.move": [
            "state",
            "move_type",
            "invoice_date",
            "company_id",
            "commercial_partner_id",
            "partner_id",
            "invoice_user_id",
        ],
        "account.move.line": [
            "move_id",
            "product_id",
            "quantity",
            "balance",
            "display_type",
        ],
        "res.partner": ["commercial_partner_id", "contoso_family_id", "parent_id"],
        "product.product": ["product_tmpl_id"],
        "product.template": ["categ_id"],
    }

    date = fields.Date(string="Date", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Account",
        readonly=True,
        help="The customer company (commercial entity) that bought.",
    )
    customer_id = fields.Many2one(
        "res.partner",
        string="Customer",
        readonly=True,
        help="The partner of the order, invoice or purchase itself: a person, or "
        "the company.",
    )
    family_id = fields.Many2one(
        "res.partner",
        string="Family",
        readonly=True,
        help="The ultimate parent company of the account.",
    )
    parent_id = fields.Many2one("res.partner", string="Parent Company", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    source = fields.Selection(
        [
            ("order", "Sales Order"),
            ("invoice", "Invoice"),
            ("online", "Web Shop"),
            ("pos", "Store"),
        ],
        string="Source",
        readonly=True,
    )
    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    categ_id = fields.Many2one(
        "product.category", string="Product Category", readonly=True
    )
    quantity = fields.Float(string="Quantity", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    amount = fields.Monetary(
        string="Revenue",
        readonly=True,
        currency_field="currency_id",
        aggregator="sum",
        help="Untaxed amount in the company currency.",
    )

    def _select_orders(self):
        return SQL(
            """
            SELECT l.id * 4 AS id,
                   (s.date_order AT TIME ZONE 'UTC')::date AS date,
                   p.commercial_partner_id AS partner_id,
                   s.partner_id AS customer_id,
                   s.id AS document_id,
                   s.company_id,
                   s.user_id,
                   'order' AS source,
                   l.product_id,
                   t.categ_id,
                   l.product_uom_qty AS quantity,
                   c.currency_id,
                   l.price_subtotal
                       / CASE COALESCE(s.currency_rate, 0)
                         WHEN 0 THEN 1.0 ELSE s.currency_rate END AS amount
              FROM sale_order_line l
              JOIN sale_order s ON s.id = l.order_id
              JOIN res_partner p ON p.id = s.partner_id
              JOIN res_company c ON c.id = s.company_id
              LEFT JOIN product_product pp ON pp.id = l.product_id
              LEFT JOIN product_template t ON t.id = pp.product_tmpl_id
             WHERE s.state = 'sale' AND l.display_type IS NULL
            """
        )

    def _select_invoices(self):
        # Invoices of an order are already counted with the order.
        return SQL(
            """
            SELECT l.id * 4 + 1 AS id,
                   m.invoice_date AS date,
                   m.commercial_partner_id AS partner_id,
                   m.partner_id AS customer_id,
                   m.id AS document_id,
                   m.company_id,
                   m.invoice_user_id AS user_id,
                   'invoice' AS source,
                   l.product_id,
                   t.categ_id,
                   l.quantity * CASE m.move_type
                                WHEN 'out_refund' THEN -1 ELSE 1 END AS quantity,
                   c.currency_id,
                   -l.balance AS amount
              FROM account_move_line l
              JOIN account_move m ON m.id = l.move_id
              JOIN res_company c ON c.id = m.company_id
              LEFT JOIN product_product pp ON pp.id = l.product_id
              LEFT JOIN product_template t ON t.id = pp.product_tmpl_id
             WHERE m.state = 'posted'
               AND m.move_type IN ('out_invoice', 'out_refund')
               AND l.display_type = 'product'
               AND NOT EXISTS (
                   SELECT 1 FROM sale_order_line_invoice_rel r
                    WHERE r.invoice_line_id = l.id)
            """
        )

    def _select_purchases(self):
        # Imported shop and web purchases (the customer data hub), in their
        # company's currency with the latest rate known at the purchase date:
        # amount_company, stored (contoso_purchase_totals.py).
        return SQL(
            """
            SELECT cp.id * 4 + 2 AS id,
                   cp.date::date AS date,
                   p.commercial_partner_id AS partner_id,
                   cp.partner_id AS customer_id,
                   cp.id AS document_id,
                   cp.company_id,
                   NULL::integer AS user_id,
                   cp.channel::varchar AS source,
                   NULL::integer AS product_id,
                   NULL::integer AS categ_id,
                   NULL::numeric AS quantity,
                   c.currency_id,
                   cp.amount_company AS amount
              FROM contoso_purchase cp
              JOIN res_partner p ON p.id = cp.partner_id
              JOIN res_company c ON c.id = cp.company_id
            """
        )

    def _query(self):
        sources = [
            self._select_orders(),
            self._select_invoices(),
            self._select_purchases(),
        ]
        # document_id (the order, invoice or purchase) has no field: Customer 360
        # counts documents with it, not lines.
        return SQL(
            """
            SELECT src.id, src.date, src.partner_id, src.customer_id,
                   src.document_id,
                   acc.contoso_family_id AS family_id,
                   acc.parent_id,
                   src.company_id, src.user_id, src.source,
                   src.product_id, src.categ_id, src.quantity,
                   src.currency_id, src.amount
              FROM (%s) src
              JOIN res_partner acc ON acc.id = src.partner_id
            """,
            SQL(" UNION ALL ").join(sources),
        )

    @api.model
    def _company_rates(self):
        """{company id: rate} turning each allowed company's amounts (in its own
        currency) into the current company's currency, at today's rate: sums
        over several companies then add up one currency. One rate look-up per
        other currency, whatever the number of rows."""
        target = self.env.company.currency_id
        today = fields.Date.context_today(self)
        Currency = self.env["res.currency"]
        return {
            company.id: Currency._get_conversion_rate(
                company.currency_id, target, self.env.company, today
            )
            for company in self.env.companies
        }

    def init(self):
        # After every model of the module has its table: contoso.purchase is
        # set up after this report.
        self.pool.post_init(self._create_view)

    def _create_view(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )
