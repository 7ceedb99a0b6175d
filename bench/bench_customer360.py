"""Customer 360 and Top Customers at the data hub's scale, against the previous
definition of the same screens, in the same run.

Run it with `./contoso bench bench_customer360`. On the addon database, in a
transaction that is rolled back, it loads with SQL 10,000 companies, 100,000
customers (a third of them employees of a company) with a ContactId, 600
confirmed orders and 200,000 web purchases (one in ten in another currency,
with weekly rates), timing the purchases' INSERT with the addon's triggers
(stored amount in the company currency, totals per customer) and without.
Then, as a sales manager, best of 3, it times what the two screens ask for:

- Customer 360 list: contoso.customer web_search_read, no domain, 80 rows,
  sorted by total spend (the list's default order);
- Top Customers: contoso.family.report web_read_group by family, accounts and
  families that are companies, 80 groups, count.

"before" is the previous definition: a temporary view shadows
contoso_family_report with the purchases converted by a rate looked up per row,
and contoso.customer adds up that view at each read. It checks both give the
same figures and prints the milliseconds of each and their ratio.
"""

import time

from _harness import run, setup
from odoo.tools import SQL

COMPANIES = 10_000
CUSTOMERS = 100_000
PURCHASES = 200_000
RUNS = 3

# The previous definition of the purchases' revenue: converted at each read.
PREVIOUS_PURCHASES = """
    SELECT cp.id * 4 + 2 AS id, cp.date::date AS date,
           p.commercial_partner_id AS partner_id, cp.partner_id AS customer_id,
           cp.id AS document_id, cp.company_id, NULL::integer AS user_id,
           cp.channel::varchar AS source, NULL::integer AS product_id,
           NULL::integer AS categ_id, NULL::numeric AS quantity, c.currency_id,
           cp.amount_total / COALESCE(
               CASE WHEN cp.currency_id = c.currency_id THEN 1.0 END,
               (SELECT r.rate FROM res_currency_rate r
                 WHERE r.currency_id = cp.currency_id
                   AND r.name <= cp.date::date
                   AND (r.company_id IS NULL OR r.company_id = c.id)
                 ORDER BY r.company_id NULLS LAST, r.name DESC
                 LIMIT 1),
               1.0) AS amount
      FROM contoso_purchase cp
      JOIN res_partner p ON p.id = cp.partner_id
      JOIN res_company c ON c.id = cp.company_id
"""


def previous_customer_query(self):
    """contoso.customer's previous _table_query: the revenue view added up."""
    rates = self.env["contoso.family.report"]._company_rates()
    return SQL(
        """
           SELECT p.id, p.id AS partner_id, p.name, p.email,
                  p.contoso_contact_ref AS contact_ref, lm.loyalty_ref,
                  COALESCE(lm.points, 0) AS points, %(currency)s AS currency_id,
                  COALESCE(rev.crm, 0) AS spend_crm,
                  COALESCE(rev.shop, 0) AS spend_shop,
                  COALESCE(rev.web, 0) AS spend_web,
                  COALESCE(rev.total, 0) AS spend_total,
                  COALESCE(rev.count, 0) AS purchase_count,
                  rev.first_date AS first_purchase, rev.last_date AS last_purchase
             FROM res_partner p
        LEFT JOIN (SELECT r.customer_id,
                          SUM(r.amount * fx.rate) FILTER (
                              WHERE r.source IN ('order', 'invoice')) AS crm,
                          SUM(r.amount * fx.rate) FILTER (
                              WHERE r.source = 'pos') AS shop,
                          SUM(r.amount * fx.rate) FILTER (
                              WHERE r.source = 'online') AS web,
                          SUM(r.amount * fx.rate) AS total,
                          COUNT(DISTINCT (r.source, r.document_id)) AS count,
                          MIN(r.date) AS first_date, MAX(r.date) AS last_date
                     FROM contoso_family_report r
                     JOIN (VALUES %(rates)s) fx (company_id, rate)
                       ON fx.company_id = r.company_id
                    GROUP BY r.customer_id) rev ON rev.customer_id = p.id
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
                   OR rev.customer_id IS NOT NULL
                   OR lm.partner_id IS NOT NULL)
        """,
        currency=self.env.company.currency_id.id,
        rates=SQL(", ").join(SQL("(%s, %s::numeric)", c, r) for c, r in rates.items()),
        companies=tuple(rates),
    )


def load(env):
    """Companies, customers, orders, rates and purchases; returns the seconds
    the purchases' INSERT took with the addon's triggers and without."""
    cr = env.cr
    company = env.company
    other = env.ref("base.EUR" if company.currency_id.name != "EUR" else "base.USD")
    other.active = True
    env.flush_all()
    # Copies of a company and a person made by the ORM, so every column the
    # installed apps require has its value.
    models = env["res.partner"].create(
        [{"name": "Bench model", "is_company": True}, {"name": "Bench model"}]
    )
    env.flush_all()
    cr.execute(
        """
        SELECT column_name FROM information_schema.columns
         WHERE table_name = 'res_partner'
           AND column_name NOT IN ('id', 'name', 'complete_name', 'parent_id',
                                   'contoso_contact_ref')
        """
    )
    columns = SQL(", ").join(SQL.identifier(row[0]) for row in cr.fetchall())
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, %(columns)s)
            SELECT 'Bench company ' || g, 'Bench company ' || g, %(columns)s
              FROM res_partner, generate_series(1, %(count)s) g
             WHERE id = %(model)s
            RETURNING id
            """,
            columns=columns,
            count=COMPANIES,
            model=models[0].id,
        )
    )
    companies = [row[0] for row in cr.fetchall()]
    cr.execute(
        SQL(
            """
            INSERT INTO res_partner (name, complete_name, parent_id,
                                     contoso_contact_ref, %(columns)s)
            SELECT 'Bench customer ' || g, 'Bench customer ' || g,
                   CASE WHEN g %% 3 = 0
                        THEN (%(companies)s::int[])[1 + g %% %(count)s] END,
                   'BENCH-' || g, %(columns)s
              FROM res_partner, generate_series(1, %(customers)s) g
             WHERE id = %(model)s
            """,
            columns=columns,
            companies=companies,
            count=COMPANIES,
            customers=CUSTOMERS,
            model=models[1].id,
        )
    )
    cr.execute(
        """
        UPDATE res_partner
           SET commercial_partner_id = COALESCE(parent_id, id),
               contoso_family_id = COALESCE(parent_id, id)
         WHERE name LIKE 'Bench %%'
        """
    )
    product = env["product.product"].create({"name": "Bench hub", "list_price": 100})
    env.flush_all()
    cr.execute(
        """
        INSERT INTO sale_order (name, partner_id, partner_invoice_id,
                                partner_shipping_id, company_id, currency_id,
                                user_id, date_order, state, picking_policy,
                                currency_rate, amount_untaxed, amount_total)
        SELECT 'BENCH/' || p.id, p.id, p.id, p.id, %(company)s, %(currency)s,
               %(user)s, now(), 'sale', 'direct', 1.0, 500, 500
          FROM res_partner p
         WHERE p.contoso_contact_ref LIKE 'BENCH-%%'
         ORDER BY p.id LIMIT 600
        """,
        {"company": company.id, "currency": company.currency_id.id, "user": env.uid},
    )
    cr.execute(
        """
        INSERT INTO sale_order_line (order_id, name, product_id, product_uom_qty,
                                     price_unit, customer_lead, price_subtotal,
                                     currency_id, company_id, state)
        SELECT o.id, 'Bench line', %s, 1, 500, 0, 500, o.currency_id,
               o.company_id, 'sale'
          FROM sale_order o WHERE o.name LIKE 'BENCH/%%'
        """,
        [product.id],
    )
    cr.execute(
        """
        INSERT INTO res_currency_rate (name, currency_id, rate, company_id)
        SELECT d::date, %s, 0.9 + (extract(doy FROM d) %% 10) / 100.0, NULL
          FROM generate_series('2021-01-01'::date, '2026-01-01', '7 days') d
        ON CONFLICT DO NOTHING
        """,
        [other.id],
    )

    def purchases(table):
        return SQL(
            """
        INSERT INTO %(table)s (channel, source_ref, contact_ref, partner_id,
                               date, company_id, currency_id, amount_total)
        SELECT 'online', 'W' || g, 'BENCH-' || (1 + g %% %(customers)s),
               p.id, '2021-01-01'::date + g %% 1800, %(company)s,
               CASE WHEN g %% 10 = 0 THEN %(other)s ELSE %(currency)s END,
               (g %% 500) + 0.25
          FROM generate_series(1, %(purchases)s) g
          JOIN res_partner p
            ON p.contoso_contact_ref = 'BENCH-' || (1 + g %% %(customers)s)
        """,
            table=SQL.identifier(table),
            customers=CUSTOMERS,
            company=company.id,
            other=other.id,
            currency=company.currency_id.id,
            purchases=PURCHASES,
        )

    # Into a copy of the table without the triggers first (same columns,
    # indexes and constraints), to show what they cost an import of that size.
    cr.execute(
        "CREATE TEMP TABLE contoso_purchase_bare (LIKE contoso_purchase INCLUDING ALL)"
    )
    start = time.perf_counter()
    cr.execute(purchases("contoso_purchase_bare"))
    without = time.perf_counter() - start
    start = time.perf_counter()
    cr.execute(purchases("contoso_purchase"))
    with_triggers = time.perf_counter() - start
    cr.execute("ANALYZE res_partner, sale_order, sale_order_line, contoso_purchase")
    cr.execute("ANALYZE contoso_purchase_total")
    env.invalidate_all()
    return without, with_triggers


def manager(env):
    return env["res.users"].create(
        {
            "login": "bench_manager",
            "name": "Bench Manager",
            "group_ids": [(6, 0, [env.ref("contoso_sales.group_sales_manager").id])],
        }
    )


def screens(env):
    """The two requests, best of RUNS: {screen: (seconds, result)}."""

    def customer_360():
        env.invalidate_all()
        return env["contoso.customer"].web_search_read(
            [],
            {
                "name": {},
                "spend_crm": {},
                "spend_shop": {},
                "spend_web": {},
                "spend_total": {},
            },
            limit=80,
        )

    def top_customers():
        env.invalidate_all()
        return env["contoso.family.report"].web_read_group(
            [("family_id.is_company", "=", True), ("partner_id.is_company", "=", True)],
            ["family_id"],
            aggregates=["__count"],
            limit=80,
        )

    results = {}
    for name, func in (
        ("Customer 360", customer_360),
        ("Top Customers", top_customers),
    ):
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            result = func()
            times.append(time.perf_counter() - start)
        results[name] = (min(times), result)
    return results


def addon(env):
    without, with_triggers = load(env)
    user_env = env(user=manager(env))
    after = screens(user_env)
    # The previous definition, in this transaction only.
    Report = env["contoso.family.report"]
    env.cr.execute(
        SQL(
            """
            CREATE TEMP VIEW contoso_family_report AS (
                SELECT src.id, src.date, src.partner_id, src.customer_id,
                       src.document_id, acc.contoso_family_id AS family_id,
                       acc.parent_id, src.company_id, src.user_id, src.source,
                       src.product_id, src.categ_id, src.quantity,
                       src.currency_id, src.amount
                  FROM (%s UNION ALL %s UNION ALL %s) src
                  JOIN res_partner acc ON acc.id = src.partner_id)
            """,
            Report._select_orders(),
            Report._select_invoices(),
            SQL(PREVIOUS_PURCHASES),
        )
    )
    Customer = type(env["contoso.customer"])
    current = Customer._table_query
    Customer._table_query = property(previous_customer_query)
    try:
        before = screens(user_env)
    finally:
        Customer._table_query = current
    for name, (_seconds, result) in after.items():
        assert result == before[name][1], f"{name}: the figures differ"
    return without, with_triggers, before, after


def main():
    args = setup()
    without, with_triggers, before, after = run(args.addon_db, addon)
    print(
        f"\nCustomer 360 and Top Customers: {CUSTOMERS:,} customers, "
        f"{COMPANIES:,} companies, {PURCHASES:,} purchases, as a sales manager, "
        f"best of {RUNS}, same run, same figures:"
    )
    print(f"{'screen':<16}{'before ms':>11}{'after ms':>10}{'ratio':>8}")
    for name, (seconds, _result) in after.items():
        previous = before[name][0]
        print(
            f"{name:<16}{previous * 1000:>11.0f}{seconds * 1000:>10.0f}"
            f"{previous / seconds:>8.1f}"
        )
    print(
        f"\nINSERT of {PURCHASES:,} purchases: {without * 1000:.0f} ms without the "
        f"triggers, {with_triggers * 1000:.0f} ms with them (stored amount, "
        "totals per customer)"
    )


if __name__ == "__main__":
    main()
