"""Top customers on 50,000 companies, against Odoo's own path.

Run it with `./contoso bench bench_family`. In one run, on two copies of the
same database, it loads 50,000 companies (5,000 families: a parent and 9
subsidiaries) with 100,000 confirmed orders of 2 lines each, written with SQL
(the ORM would take far longer to create them and is not what is measured),
then times, as the administrator (record rules on), what the screens ask for:

- vanilla: Odoo's grouped list of confirmed orders by customer, biggest first
  (`sale.order` web_read_group of amount_untaxed by partner_id, 80 groups);
- addon:   Top customers, grouped by family, biggest first (list, 80 groups),
           and the pivot of every family (formatted_read_group).

It prints the best of 3 runs for each and their ratio (target: the report
under 2 s). Everything runs in a transaction that is rolled back.
"""

import time

from _harness import run, setup

FAMILIES = 5000
PER_FAMILY = 10  # the parent and 9 subsidiaries
COMPANIES = FAMILIES * PER_FAMILY
ORDERS_PER_COMPANY = 2
RUNS = 3


def load(env, with_family):
    """Companies, orders and lines; returns nothing, fills the database."""
    cr = env.cr
    products = env["product.product"].create(
        [
            {"name": f"Bench product {i}", "list_price": 100.0 * (i + 1)}
            for i in range(4)
        ]
    )
    company = env.company
    admin = env.ref("base.user_admin")
    env.flush_all()
    # Parents first, then subsidiaries pointing at them.
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, is_company, active, type,
                                 autopost_bills, company_id)
        SELECT 'Bench family ' || g, 'Bench family ' || g, TRUE, TRUE, 'contact',
               'ask', NULL
          FROM generate_series(1, %s) g
        RETURNING id
        """,
        [FAMILIES],
    )
    roots = [row[0] for row in cr.fetchall()]
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, is_company, active, type,
                                 autopost_bills, parent_id)
        SELECT 'Bench sub ' || r || '-' || s, 'Bench sub ' || r || '-' || s,
               TRUE, TRUE, 'contact', 'ask', r
          FROM unnest(%s::int[]) r, generate_series(1, %s) s
        """,
        [roots, PER_FAMILY - 1],
    )
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id"
        " WHERE name LIKE 'Bench %%' AND commercial_partner_id IS NULL"
    )
    if with_family:
        # What the stored compute gives: the parent for a subsidiary, else itself.
        cr.execute(
            "UPDATE res_partner SET contoso_family_id = COALESCE(parent_id, id)"
            " WHERE name LIKE 'Bench %%'"
        )
    cr.execute(
        """
        INSERT INTO sale_order (name, partner_id, partner_invoice_id,
                                partner_shipping_id, company_id, currency_id,
                                user_id, date_order, state, picking_policy,
                                currency_rate, amount_untaxed, amount_total)
        SELECT 'BENCH/' || p.id || '/' || n, p.id, p.id, p.id, %(company)s,
               %(currency)s, %(user)s, now() - (n || ' days')::interval, 'sale',
               'direct', 1.0, 1000 + (p.id %% 97) * 10, 1000 + (p.id %% 97) * 10
          FROM res_partner p, generate_series(1, %(orders)s) n
         WHERE p.name LIKE 'Bench %%'
        """,
        {
            "company": company.id,
            "currency": company.currency_id.id,
            "user": admin.id,
            "orders": ORDERS_PER_COMPANY,
        },
    )
    cr.execute(
        """
        INSERT INTO sale_order_line (order_id, name, product_id, product_uom_qty,
                                     price_unit, customer_lead, price_subtotal,
                                     currency_id, company_id, state)
        SELECT o.id, 'Bench line', (%(products)s::int[])[1 + (o.id + k) %% 4],
               1, o.amount_untaxed / 2, 0, o.amount_untaxed / 2, o.currency_id,
               o.company_id, 'sale'
          FROM sale_order o, generate_series(1, 2) k
         WHERE o.name LIKE 'BENCH/%%'
        """,
        {"products": products.ids},
    )
    cr.execute("ANALYZE res_partner, sale_order, sale_order_line")
    env.invalidate_all()


def best_of(func):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def vanilla(env):
    load(env, with_family=False)
    orders = env["sale.order"].with_user(env.ref("base.user_admin"))
    seconds, result = best_of(
        lambda: orders.web_read_group(
            [("state", "=", "sale")],
            ["partner_id"],
            ["amount_untaxed:sum"],
            limit=80,
            order="amount_untaxed desc",
        )
    )
    assert result["length"] == COMPANIES, result["length"]
    return {"grouped list, 80 groups (s)": seconds}


def addon(env):
    load(env, with_family=True)
    report = env["contoso.family.report"].with_user(env.ref("base.user_admin"))
    list_seconds, result = best_of(
        lambda: report.web_read_group(
            [], ["family_id"], ["amount:sum"], limit=80, order="amount desc"
        )
    )
    assert result["length"] == FAMILIES, result["length"]
    top = result["groups"][0]
    assert top["amount:sum"] >= result["groups"][-1]["amount:sum"]
    pivot_seconds, groups = best_of(
        lambda: report.formatted_read_group([], ["family_id"], ["amount:sum"])
    )
    assert len(groups) == FAMILIES
    return {
        "grouped list, 80 groups (s)": list_seconds,
        "pivot, every family (s)": pivot_seconds,
    }


def main():
    args = setup()
    base = run(args.vanilla_db, vanilla)
    mine = run(args.addon_db, addon)
    print(
        f"\nTop customers: {COMPANIES} companies in {FAMILIES} families, "
        f"{COMPANIES * ORDERS_PER_COMPANY} orders, best of {RUNS}, same run:"
    )
    reference = base["grouped list, 80 groups (s)"]
    print(f"{'path':<46}{'seconds':>9}{'ratio':>8}")
    print(f"{'vanilla: sale.order by customer, 80 groups':<46}{reference:>9.3f}")
    for metric, seconds in mine.items():
        label = f"addon: {metric.replace(' (s)', '')}"
        print(f"{label:<46}{seconds:>9.3f}{seconds / reference:>8.2f}")
    worst = max(mine.values())
    verdict = "OK" if worst < 2.0 else "TOO SLOW"
    print(f"\nTop customers renders in {worst:.3f} s (target < 2 s): {verdict}")


if __name__ == "__main__":
    main()
