from odoo import fields
from odoo.fields import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import run_migration
from .datahub_common import CONTACTS, LOYALTY, ONLINE, POS, DataHubCase


# What an imported purchase's revenue must be: its amount converted into its
# company's currency by Odoo itself (res.currency._convert, unrounded), at the
# purchase date; the stored amounts and the totals must equal it.
def live_purchases(env):
    env.flush_all()
    env.invalidate_all()
    purchases = env["contoso.purchase"].sudo().search([])
    amounts = [
        SQL(
            "(%s, %s::numeric)",
            purchase.id,
            purchase.currency_id._convert(
                purchase.amount_total,
                purchase.company_id.currency_id,
                purchase.company_id,
                purchase.date,
                round=False,
            ),
        )
        for purchase in purchases
    ] or [SQL("(NULL::integer, NULL::numeric)")]
    return SQL(
        """
        SELECT cp.partner_id AS customer_id, p.commercial_partner_id AS partner_id,
               cp.id AS document_id, cp.company_id, cp.channel::varchar AS source,
               cp.date, fx.amount
          FROM contoso_purchase cp
          JOIN res_partner p ON p.id = cp.partner_id
          JOIN (VALUES %s) fx (id, amount) ON fx.id = cp.id
        """,
        SQL(", ").join(amounts),
    )


def live_customers(env, companies):
    """{customer: (crm, shop, web, total, count, first, last)} as the
    previous definition computes it, for these allowed companies, in the
    first one's currency."""
    env = env(context={"allowed_company_ids": companies})
    Report = env["contoso.family.report"]
    rates = Report._company_rates()
    env.flush_all()
    env.cr.execute(
        SQL(
            """
            SELECT r.customer_id,
                   COALESCE(SUM(r.amount * fx.rate) FILTER (
                       WHERE r.source IN ('order', 'invoice')), 0),
                   COALESCE(SUM(r.amount * fx.rate) FILTER (
                       WHERE r.source = 'pos'), 0),
                   COALESCE(SUM(r.amount * fx.rate) FILTER (
                       WHERE r.source = 'online'), 0),
                   SUM(r.amount * fx.rate),
                   COUNT(DISTINCT (r.source, r.document_id)),
                   MIN(r.date), MAX(r.date)
              FROM (SELECT customer_id, partner_id, document_id, company_id,
                           source, date, amount FROM (%s) o
                    UNION ALL
                    SELECT customer_id, partner_id, document_id, company_id,
                           source, date, amount FROM (%s) i
                    UNION ALL %s) r
              JOIN (VALUES %s) fx (company_id, rate)
                ON fx.company_id = r.company_id
              JOIN res_partner cust ON cust.id = r.customer_id
             WHERE cust.active AND NOT cust.is_company
               AND (cust.company_id IS NULL OR cust.company_id IN %s)
             GROUP BY r.customer_id
            """,
            Report._select_orders(),
            Report._select_invoices(),
            live_purchases(env),
            SQL(", ").join(SQL("(%s, %s::numeric)", c, r) for c, r in rates.items()),
            tuple(companies),
        )
    )
    return {
        row[0]: (*(round(float(v), 6) for v in row[1:5]), *row[5:])
        for row in env.cr.fetchall()
    }


# contoso_purchase_total as the purchases define it: its rows, computed anew.
LIVE_TOTALS = """
    SELECT partner_id, company_id,
           COALESCE(SUM(amount_company) FILTER (WHERE channel = 'online'), 0),
           COALESCE(SUM(amount_company) FILTER (WHERE channel = 'pos'), 0),
           COUNT(*), MIN(date), MAX(date)
      FROM contoso_purchase WHERE partner_id IS NOT NULL
     GROUP BY partner_id, company_id
"""


def add_second_company(case):
    """`case.company_b`, in another currency (`case.other`), with a shared
    rate of 2 and a rate of 4 of its own since 2020."""
    case.other = case.env.ref("base.EUR")
    if case.company.currency_id == case.other:
        case.other = case.env.ref("base.USD")
    case.other.active = True
    case.company_b = case.env["res.company"].create(
        {"name": "Contoso Europe", "currency_id": case.other.id}
    )
    case.env["res.currency.rate"].create(
        [
            {"currency_id": case.other.id, "rate": 2.0, "name": "2020-01-01"},
            {
                "currency_id": case.other.id,
                "rate": 4.0,
                "name": "2020-01-01",
                "company_id": case.company_b.id,
            },
        ]
    )


@tagged("post_install", "-at_install")
class TestCustomer360Totals(DataHubCase):
    """Customer 360 and Top Customers read stored amounts and per-customer
    totals: after every path that writes purchases, orders or invoices, they
    equal the live definition."""

    def setUp(self):
        super().setUp()
        self._import(
            "contacts",
            CONTACTS
            + "C1,Zoé,Dupont,,zoe@example.com,1980-05-06,,,,,,\r\n"
            + "C2,John,Smith,,john@example.com,1975-05-06,,,,,,\r\n"
            + "C3,Ann,Lee,,ann@example.com,1970-05-06,,,,,,\r\n",
        )
        self._import("loyalty", LOYALTY + "LOYID_1,Zoé Dupont,,,,120,C1\r\n")
        self.online_rows = [
            "W1,C1,2021-03-04,100.00,Purchase,Doorbell\r\n",
            "W2,C1,2022-06-01,50.50,Purchase,Sensor\r\n",
            "W3,C2,2022-07-01,70.00,Purchase,Camera\r\n",
            "W4,C3,2023-02-01,20.00,Purchase,Siren\r\n",
        ]
        self._import("online", ONLINE + "".join(self.online_rows))
        self._import("pos", POS + "S1,LOYID_1,2020-12-24,30,3,Purchase,Alarm\r\n")
        self.zoe, self.john, self.ann = (
            self._partner("C1"),
            self._partner("C2"),
            self._partner("C3"),
        )
        add_second_company(self)
        self.manager.company_ids = [Command.link(self.company_b.id)]
        self.both = (self.company | self.company_b).ids
        self.product = self.env["product.product"].create(
            {"name": "Hub", "list_price": 200}
        )

    # -- the live definition -------------------------------------------------------

    def _shown(self, user, companies):
        customers = (
            self.env["contoso.customer"]
            .with_user(user)
            .with_context(allowed_company_ids=companies)
            .search([("purchase_count", ">", 0)])
        )
        return {
            c.partner_id.id: (
                round(c.spend_crm, 6),
                round(c.spend_shop, 6),
                round(c.spend_web, 6),
                round(c.spend_total, 6),
                c.purchase_count,
                c.first_purchase,
                c.last_purchase,
            )
            for c in customers
        }

    def _assert_live(self, step):
        for user, companies in (
            (self.manager, self.both),
            (self.manager, self.company_b.ids),
            (self.salesperson, self.company.ids),
        ):
            with self.subTest(step=step, user=user.login, companies=companies):
                self.env.invalidate_all()
                live = live_customers(self.env, companies)
                self.assertTrue(live or companies == self.company_b.ids)
                self.assertEqual(self._shown(user, companies), live)
        # Top Customers: the revenue view's purchase rows at the live amounts.
        self.env.cr.execute(
            SQL(
                """
                SELECT r.document_id, r.amount, l.amount
                  FROM contoso_family_report r
                  JOIN (%s) l ON l.document_id = r.document_id
                 WHERE r.source IN ('online', 'pos')
                   AND (r.amount IS NULL OR abs(r.amount - l.amount) > 1e-6)
                """,
                live_purchases(self.env),
            )
        )
        self.assertEqual(self.env.cr.fetchall(), [], step)

    # -- helpers -------------------------------------------------------------------

    def _order(self, partner, amount, company):
        env = self.env(context={"allowed_company_ids": company.ids})
        order = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "user_id": self.manager.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "price_unit": amount,
                            "tax_ids": False,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    def _invoice(self, partner, amount):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": "2024-04-01",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "price_unit": amount,
                            "tax_ids": False,
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _totals(self):
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT partner_id, company_id, spend_web, spend_shop, purchase_count,
                   first_date, last_date
              FROM contoso_purchase_total ORDER BY 1, 2
            """
        )
        return self.env.cr.fetchall()

    # -- tests ---------------------------------------------------------------------

    def test_figures_equal_the_live_definition_on_every_path(self):
        self._assert_live("imports")
        # Orders in both companies, an invoice and its refund.
        order = self._order(self.zoe, 300, self.company)
        self._order(self.john, 1000, self.company_b)
        invoice = self._invoice(self.ann, 80)
        refund = invoice._reverse_moves()
        refund.invoice_date = "2024-04-02"
        refund.action_post()
        # Purchases in company B, in its currency and in ours (ORM create).
        Purchase = self.env["contoso.purchase"].with_context(
            allowed_company_ids=self.company_b.ids
        )
        bought = Purchase.create(
            [
                {
                    "channel": "online",
                    "source_ref": "B1",
                    "partner_id": self.zoe.id,
                    "date": "2022-01-01",
                    "company_id": self.company_b.id,
                    "currency_id": self.other.id,
                    "amount_total": 400,
                },
                {
                    "channel": "pos",
                    "source_ref": "B2",
                    "partner_id": self.john.id,
                    "date": "2021-01-01",
                    "company_id": self.company_b.id,
                    "currency_id": self.company.currency_id.id,
                    "amount_total": 90,
                },
            ]
        )
        self._assert_live("orders, invoices, purchases in two companies")
        # A rate for a past date added later: amounts from that date follow.
        self.env["res.currency.rate"].create(
            {
                "currency_id": self.company.currency_id.id,
                "rate": 0.5,
                "name": "2020-06-01",
                "company_id": self.company_b.id,
            }
        )
        self._assert_live("a past rate added")
        # Confirm/cancel, reset an invoice.
        order._action_cancel()
        refund.button_draft()
        self._assert_live("order cancelled, refund reset")
        # A purchase moves to another customer and company; one is deleted.
        bought[1].write({"partner_id": self.ann.id, "company_id": self.company.id})
        self.env["contoso.purchase"].search([("source_ref", "=", "W4")]).unlink()
        self._assert_live("purchase moved, purchase deleted")
        # Merge John into Zoé: the wizard rewrites the purchases in raw SQL.
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_context(
                active_model="res.partner", active_ids=(self.zoe | self.john).ids
            )
            .create({"dst_partner_id": self.zoe.id})
        )
        wizard.action_merge()
        self.assertFalse(self.john.exists())
        self._assert_live("partners merged")
        # Re-import, rows shuffled, one amount changed; a dry run changes nothing.
        rows = [*reversed(self.online_rows), "W5,C3,2024-01-01,15.00,Purchase,Key\r\n"]
        rows[0] = rows[0].replace("20.00", "25.00")
        self._import("online", ONLINE + "".join(rows), dry_run=True)
        self._assert_live("dry run")
        self._import("online", ONLINE + "".join(rows))
        self._assert_live("re-import")
        # Archived customers leave the list, as before.
        self.ann.active = False
        self._assert_live("customer archived")

    def test_amount_in_company_currency_is_stored_and_follows_the_rates(self):
        Purchase = self.env["contoso.purchase"]
        purchase = Purchase.create(
            {
                "channel": "online",
                "source_ref": "B1",
                "partner_id": self.zoe.id,
                "date": "2022-01-01",
                "company_id": self.company_b.id,
                "currency_id": self.company.currency_id.id,
                "amount_total": 100,
            }
        )
        # No rate of our currency for company B yet (1); B's currency has
        # B's rate of 4 (setUp): 100 x 4 / 1.
        self.assertEqual(purchase.amount_company, 400)
        # A client cannot write another amount: it is converted again.
        purchase.write({"amount_company": 1})
        self.assertEqual(purchase.amount_company, 400)
        rate = self.env["res.currency.rate"].create(
            {
                "currency_id": self.company.currency_id.id,
                "rate": 0.5,
                "name": "2021-06-01",
                "company_id": self.company_b.id,
            }
        )
        self.assertEqual(purchase.amount_company, 800)
        rate.rate = 0.25
        self.assertEqual(purchase.amount_company, 1600)
        purchase.date = "2021-01-01"  # before the first rate: that rate (Odoo's)
        self.assertEqual(purchase.amount_company, 1600)
        purchase.date = "2022-01-01"
        rate.unlink()
        self.assertEqual(purchase.amount_company, 400)
        self.env["res.currency.rate"].create(
            {
                "currency_id": self.company.currency_id.id,
                "rate": 0.5,
                "name": "2021-06-01",
                "company_id": self.company_b.id,
            }
        )
        self.assertEqual(purchase.amount_company, 800)
        # Company B now keeps its books in our currency: no conversion.
        self.company_b.currency_id = self.company.currency_id
        self.assertEqual(purchase.amount_company, 100)

    def test_amounts_are_converted_as_odoo_converts(self):
        """A branch converts with its parent's rates (Odoo keeps rates on root
        companies only), a company currency with a rate of its own counts it,
        a purchase before a currency's first rate takes that rate: as
        res.currency._convert does, and after each rate change."""
        Rate = self.env["res.currency.rate"]
        branch = self.env["res.company"].create(
            {
                "name": "Contoso Europe Lyon",
                "parent_id": self.company_b.id,
                "currency_id": self.other.id,
            }
        )
        ours = self.company.currency_id
        Rate.create(
            [
                {
                    "currency_id": ours.id,
                    "rate": 0.8,
                    "name": "2022-01-01",
                    "company_id": self.company_b.id,
                },
                {
                    "currency_id": self.other.id,
                    "rate": 1.25,
                    "name": "2021-01-01",
                    "company_id": self.company_b.id,
                },
            ]
        )
        purchases = self.env["contoso.purchase"].create(
            [
                {
                    "channel": "online",
                    "source_ref": f"L{n}",
                    "partner_id": self.zoe.id,
                    "date": day,
                    "company_id": branch.id,
                    "currency_id": ours.id,
                    "amount_total": 100,
                }
                for n, day in enumerate(("2020-06-01", "2022-03-01", "2023-03-01"))
            ]
        )

        def assert_as_odoo(step):
            self.env.invalidate_all()
            for purchase in purchases:
                expected = ours._convert(
                    100, self.other, branch, purchase.date, round=False
                )
                self.assertAlmostEqual(
                    purchase.amount_company, expected, 6, f"{step} {purchase.date}"
                )

        # 100 x 1.25 / 0.8, the first of our rates before it too.
        self.assertAlmostEqual(purchases[1].amount_company, 156.25)
        assert_as_odoo("parent's rates")
        later = Rate.create(
            {
                "currency_id": ours.id,
                "rate": 0.5,
                "name": "2023-01-01",
                "company_id": self.company_b.id,
            }
        )
        assert_as_odoo("a later rate")
        Rate.create({"currency_id": self.other.id, "rate": 2.0, "name": "2022-06-01"})
        assert_as_odoo("a shared rate of the company's currency")
        Rate.create({"currency_id": ours.id, "rate": 0.4, "name": "2019-01-01"})
        assert_as_odoo("an earlier first rate")
        later.unlink()
        assert_as_odoo("a rate removed")
        self._assert_live("converted as Odoo converts")

    def test_upgrade_converts_the_stored_amounts_again(self):
        purchase = self.env["contoso.purchase"].create(
            {
                "channel": "online",
                "source_ref": "U1",
                "partner_id": self.zoe.id,
                "date": "2022-01-01",
                "company_id": self.company_b.id,
                "currency_id": self.company.currency_id.id,
                "amount_total": 100,
            }
        )
        # As the conversion before 19.0.1.2.0 left it: B's own rate ignored.
        self.env.cr.execute("ALTER TABLE contoso_purchase DISABLE TRIGGER USER")
        self.env.cr.execute(
            "UPDATE contoso_purchase SET amount_company = 100 WHERE id = %s",
            [purchase.id],
        )
        self.env.cr.execute("ALTER TABLE contoso_purchase ENABLE TRIGGER USER")
        # An upgrade runs the models' init() (the totals rebuilt from the
        # stored amounts) before the post-migration scripts.
        self.env["contoso.purchase"].init()
        run_migration(self.env.cr, "19.0.1.2.0", "19.0.1.1.0")
        purchase.invalidate_recordset()
        self.assertEqual(purchase.amount_company, 400)
        self._assert_live("upgraded")

    def _rate_manager(self):
        """An accountant allowed to edit rates (Accounting / Administrator),
        working in the first company: his rates default to it."""
        return new_test_user(
            self.env,
            login="t_rates",
            name="Test Rates",
            groups="base.group_user,account.group_account_manager",
        )

    def _foreign_purchase(self, ref, day, currency):
        return self.env["contoso.purchase"].create(
            {
                "channel": "online",
                "source_ref": ref,
                "partner_id": self.zoe.id,
                "date": day,
                "company_id": self.company.id,
                "currency_id": currency.id,
                "amount_total": 100,
            }
        )

    def _gbp_with_a_shared_rate(self):
        """Pounds, with one rate shared by all companies (2 from 2020-01-01)."""
        currency = self.env.ref("base.GBP")
        currency.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": currency.id,
                "rate": 2.0,
                "name": "2020-01-01",
                "company_id": False,
            }
        )
        return currency

    def _assert_as_odoo(self, purchase, step):
        self.env.invalidate_all()
        expected = purchase.currency_id._convert(
            100, self.company.currency_id, self.company, purchase.date, round=False
        )
        self.assertAlmostEqual(purchase.amount_company, expected, 6, step)

    def test_company_first_rate_is_the_fallback_before_the_shared_ones(self):
        """Before any rate, Odoo takes the company's own first rate before the
        first shared one: the company's first rate of a currency with older
        shared rates, added as an accountant does (the company's by default),
        converts the purchases dated before every rate again."""
        currency = self._gbp_with_a_shared_rate()
        purchase = self._foreign_purchase("F1", "2019-06-01", currency)
        self._assert_as_odoo(purchase, "the first shared rate")
        rate = (
            self.env["res.currency.rate"]
            .with_user(self._rate_manager())
            .create({"currency_id": currency.id, "rate": 5.0, "name": "2021-01-01"})
        )
        self.assertEqual(rate.company_id, self.company)
        self._assert_as_odoo(purchase, "the company's first rate")
        rate.name = "2021-06-01"
        self._assert_as_odoo(purchase, "the company's first rate moved")
        rate.unlink()
        self._assert_as_odoo(purchase, "the company's first rate removed")
        self._assert_live("company's first rate")

    def test_a_later_company_rate_converts_only_the_later_purchases(self):
        """Rates kept per company (Odoo's default) and no shared rate: a new
        day's rate converts the purchases from that day on, not every
        purchase of the currency since its first rate."""
        currency = self.env.ref("base.GBP")
        currency.active = True
        Rate = self.env["res.currency.rate"].with_user(self._rate_manager())
        Rate.create({"currency_id": currency.id, "rate": 0.5, "name": "2021-01-01"})
        older = self._foreign_purchase("G1", "2022-06-01", currency)
        newer = self._foreign_purchase("G2", "2023-06-01", currency)

        def versions():
            self.env.flush_all()
            self.env.cr.execute(
                "SELECT id, ctid::text FROM contoso_purchase WHERE id IN %s",
                [(older.id, newer.id)],
            )
            return dict(self.env.cr.fetchall())

        before = versions()
        Rate.create({"currency_id": currency.id, "rate": 0.8, "name": "2023-01-01"})
        after = versions()
        self.assertEqual(after[older.id], before[older.id], "older one untouched")
        self.assertNotEqual(after[newer.id], before[newer.id])
        self._assert_as_odoo(older, "older")
        self._assert_as_odoo(newer, "newer")

    def test_a_company_first_rate_converts_only_the_purchases_before_any(self):
        """The company's first rate of a currency with older shared rates only
        changes what purchases dated before every rate are worth: those with a
        shared rate at their date are not converted again."""
        currency = self._gbp_with_a_shared_rate()
        before_any = self._foreign_purchase("H1", "2019-06-01", currency)
        shared = self._foreign_purchase("H2", "2022-06-01", currency)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT ctid::text FROM contoso_purchase WHERE id = %s", [shared.id]
        )
        version = self.env.cr.fetchone()
        self.env["res.currency.rate"].with_user(self._rate_manager()).create(
            {"currency_id": currency.id, "rate": 5.0, "name": "2023-01-01"}
        )
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT ctid::text FROM contoso_purchase WHERE id = %s", [shared.id]
        )
        self.assertEqual(self.env.cr.fetchone(), version, "not converted again")
        self._assert_as_odoo(before_any, "before any rate")
        self._assert_as_odoo(shared, "at a shared rate")

    def test_purchases_stamp_their_currencies_once_per_transaction(self):
        """An import writes its purchases inside savepoints: each currency's
        stamp is still written once per transaction, not once per purchase
        (each write of the one row made the next ones slower: 200,000
        purchases converted again ran for more than 14 minutes)."""

        def stamps():
            self.env.cr.execute(
                "SELECT currency_id, changes FROM contoso_purchase_rate_stamp"
            )
            return dict(self.env.cr.fetchall())

        before = stamps()
        with self.env.cr.savepoint():
            self.env["contoso.purchase"].create(
                [
                    {
                        "channel": "online",
                        "source_ref": f"T{n}",
                        "partner_id": self.zoe.id,
                        "date": "2022-01-01",
                        "company_id": self.company.id,
                        "currency_id": self.other.id,
                        "amount_total": 100,
                    }
                    for n in range(5)
                ]
            )
        after = stamps()
        for currency in (self.other, self.company.currency_id):
            self.assertLessEqual(
                after[currency.id] - before.get(currency.id, -1), 1, currency.name
            )

    def test_totals_follow_raw_sql_and_are_rolled_back(self):
        """The partner merge and the import write purchases in SQL: the totals
        per customer follow in the same statement, and a rollback undoes both."""
        self.assertEqual(
            self._totals(),
            [
                (self.zoe.id, self.company.id, 150.5, 30, 3, *self._dates("C1")),
                (self.john.id, self.company.id, 70, 0, 1, *self._dates("C2")),
                (self.ann.id, self.company.id, 20, 0, 1, *self._dates("C3")),
            ],
        )
        self.env.cr.execute(
            "UPDATE contoso_purchase SET partner_id = %s WHERE partner_id = %s",
            [self.zoe.id, self.john.id],
        )
        self.env.cr.execute("SAVEPOINT totals")
        self.env.cr.execute(
            "DELETE FROM contoso_purchase WHERE partner_id = %s", [self.ann.id]
        )
        self.assertEqual(len(self._totals()), 1)
        self.env.cr.execute("ROLLBACK TO SAVEPOINT totals")
        self.assertEqual(
            [row[:5] for row in self._totals()],
            [
                (self.zoe.id, self.company.id, 220.5, 30, 4),
                (self.ann.id, self.company.id, 20, 0, 1),
            ],
        )

    def _live_totals(self):
        """The totals table as the purchases define it, to compare."""
        self.env.flush_all()
        self.env.cr.execute(LIVE_TOTALS + " ORDER BY 1, 2")
        return self.env.cr.fetchall()

    def test_an_upsert_that_updates_and_inserts_counts_each_purchase_once(self):
        """The import's INSERT ... ON CONFLICT DO UPDATE fires the UPDATE
        statement trigger first, which already sees the rows the statement
        inserted: a customer with a changed and a new purchase in one chunk
        is counted once, with its new first and last dates."""
        rows = list(self.online_rows)
        rows[0] = rows[0].replace("100.00", "110.00")  # W1 of Zoé, changed
        rows += [
            "W7,C1,2019-01-02,5.00,Purchase,Battery\r\n",  # Zoé, earlier than all
            "W8,C3,2024-05-06,7.00,Purchase,Bracket\r\n",  # Ann: W4 unchanged
        ]
        rows[3] = rows[3].replace("C3", "C2")  # W4 moves from Ann to John
        batch = self._import("online", ONLINE + "".join(rows))
        self.assertEqual((batch.rows_created, batch.rows_updated), (2, 2))
        totals = self._totals()
        self.assertEqual(totals, self._live_totals())
        self.assertIn(
            (
                self.zoe.id,
                self.company.id,
                165.5,
                30,
                4,
                fields.Date.to_date("2019-01-02"),
                fields.Date.to_date("2022-06-01"),
            ),
            totals,
        )
        # The same mix in raw SQL, and a purchase deleted: still the definition.
        self.env.cr.execute(
            """
            INSERT INTO contoso_purchase AS t (
                channel, source_ref, partner_id, date, amount_total, company_id,
                currency_id, points_added)
            VALUES ('online', 'W1', %(ann)s, '2018-01-01', 1, %(c)s, %(cur)s, 0),
                   ('online', 'W9', %(ann)s, '2025-01-01', 2, %(c)s, %(cur)s, 0)
            ON CONFLICT (company_id, channel, source_ref)
            DO UPDATE SET partner_id = EXCLUDED.partner_id, date = EXCLUDED.date,
                amount_total = EXCLUDED.amount_total
            """,
            {
                "ann": self.ann.id,
                "c": self.company.id,
                "cur": self.company.currency_id.id,
            },
        )
        self.env.cr.execute("DELETE FROM contoso_purchase WHERE source_ref = 'W8'")
        self.assertEqual(self._totals(), self._live_totals())
        self._assert_live("upserts that update and insert")

    def test_customers_without_contact_id_are_listed_from_each_source(self):
        """A customer is on the list for any one of its sources, with or without
        a ContactId: the list reads candidates from each source's index before
        the definition decides, and must not miss a source."""
        Partner = self.env["res.partner"]
        by_order, by_invoice, by_purchase, by_card, by_quote, nothing = (
            Partner.create({"name": name})
            for name in ("Order", "Invoice", "Shop", "Card", "Draft", "Nothing")
        )
        self._order(by_order, 40, self.company_b)
        self._invoice(by_invoice, 30)
        self.env["contoso.purchase"].create(
            {
                "channel": "pos",
                "source_ref": "NOREF1",
                "partner_id": by_purchase.id,
                "date": "2022-01-01",
                "company_id": self.company.id,
                "currency_id": self.company.currency_id.id,
                "amount_total": 20,
            }
        )
        self.env["contoso.loyalty.member"].create(
            {
                "loyalty_ref": "NOREF2",
                "name": "Card",
                "partner_id": by_card.id,
                "company_id": self.company.id,
                "match_state": "confirmed",
            }
        )
        self.env["sale.order"].create({"partner_id": by_quote.id})
        new = by_order | by_invoice | by_purchase | by_card | by_quote | nothing
        self.assertFalse(any(new.mapped("contoso_contact_ref")))

        def listed(companies):
            customers = (
                self.env["contoso.customer"]
                .with_user(self.manager)
                .with_context(allowed_company_ids=companies)
                .search([])
            )
            return set(customers.partner_id.ids)

        both, first = listed(self.both), listed(self.company.ids)
        self.assertEqual(
            both & set(new.ids),
            {by_order.id, by_invoice.id, by_purchase.id, by_card.id},
        )
        # company B's order only counts where company B is allowed
        self.assertEqual(
            first & set(new.ids), {by_invoice.id, by_purchase.id, by_card.id}
        )
        # the imported customers are still there, with their ContactId
        self.assertTrue({self.zoe.id, self.john.id, self.ann.id} <= first)

    def _dates(self, ref):
        purchases = self.env["contoso.purchase"].search(
            [("partner_id.contoso_contact_ref", "=", ref)]
        )
        dates = purchases.mapped("date")
        return min(dates), max(dates)


@tagged("post_install", "-at_install")
class TestCustomer360TotalsVisibility(DataHubCase):
    def test_salesperson_sees_what_he_saw(self):
        """Totals are not a way around the company: a salesperson of the first
        company does not see company B's purchases of a shared customer."""
        self._import("contacts", CONTACTS + "C1,Zoé,Dupont,,z@example.com,,,,,,,\r\n")
        self._import("online", ONLINE + "W1,C1,2021-03-04,100.00,Purchase,X\r\n")
        zoe = self._partner("C1")
        company_b = self.env["res.company"].create({"name": "Contoso Europe"})
        self.env["contoso.purchase"].create(
            {
                "channel": "online",
                "source_ref": "B1",
                "partner_id": zoe.id,
                "date": "2022-01-01",
                "company_id": company_b.id,
                "currency_id": company_b.currency_id.id,
                "amount_total": 400,
            }
        )
        sally = new_test_user(
            self.env,
            login="t_sally_b",
            name="Sally B",
            groups="base.group_user,contoso_sales.group_salesperson",
        )
        customer = (
            self.env["contoso.customer"]
            .with_user(sally)
            .search([("partner_id", "=", zoe.id)])
        )
        self.assertEqual((customer.spend_web, customer.purchase_count), (100, 1))
