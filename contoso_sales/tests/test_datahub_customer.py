from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .datahub_common import CONTACTS, LOYALTY, ONLINE, POS, DataHubCase


@tagged("post_install", "-at_install")
class TestCustomer360(DataHubCase):
    def setUp(self):
        super().setUp()
        self._import(
            "contacts",
            CONTACTS
            + "C1,Zoé,Dupont,,zoe@example.com,1980-05-06,,,,,,\r\n"
            + "C2,John,Smith,,john@example.com,1975-05-06,,,,,,\r\n",
        )
        self._import("loyalty", LOYALTY + "LOYID_1,Zoé Dupont,,,,120,C1\r\n")
        self._import(
            "online",
            ONLINE
            + "W1,C1,2021-03-04,100.00,Purchase,Doorbell\r\n"
            + "W2,C1,2022-06-01,50.50,Purchase,Sensor\r\n",
        )
        self._import("pos", POS + "S1,LOYID_1,2020-12-24,30,3,Purchase,Alarm\r\n")
        self.zoe, self.john = self._partner("C1"), self._partner("C2")
        product = self.env["product.product"].create({"name": "Hub", "list_price": 200})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.zoe.id,
                "date_order": "2023-01-10 10:00:00",
                "order_line": [
                    (
                        0,
                        0,
                        {"product_id": product.id, "price_unit": 200, "tax_ids": False},
                    )
                ],
            }
        )
        order.action_confirm()
        order.date_order = "2023-01-10 10:00:00"  # confirming stamps today

    def test_customer_360_on_the_partner(self):
        zoe = self.zoe.with_user(self.salesperson)
        self.assertEqual(zoe.contoso_spend_web, 150.5)
        self.assertEqual(zoe.contoso_spend_shop, 30)
        self.assertEqual(zoe.contoso_spend_crm, 200)
        self.assertEqual(zoe.contoso_spend_total, 380.5)
        self.assertEqual(zoe.contoso_loyalty_ref, "LOYID_1")
        self.assertEqual(zoe.contoso_loyalty_points, 120)
        self.assertEqual(str(zoe.contoso_first_purchase), "2020-12-24")
        self.assertEqual(str(zoe.contoso_last_purchase), "2023-01-10")
        self.assertEqual(zoe.contoso_purchase_count, 4)
        self.assertEqual(
            zoe.contoso_purchase_ids.mapped("source_ref"),
            ["W2", "W1", "S1"],
            "timeline, newest first",
        )
        self.assertEqual(self.john.contoso_spend_total, 0)

    def test_aggregates_follow_each_import(self):
        self._import("online", ONLINE + "W1,C1,2021-03-04,120.00,Purchase,Doorbell\r\n")
        self.zoe.invalidate_recordset()
        self.assertEqual(self.zoe.contoso_spend_web, 170.5)

    def test_constant_queries_for_one_or_many_partners(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Extra {i}"} for i in range(20)]
        )
        names = ["contoso_spend_total", "contoso_loyalty_ref", "contoso_last_purchase"]
        # One query for the aggregates, whatever the number of partners, plus
        # the partners' own row and the company currency.
        self.env.invalidate_all()
        with self.assertQueryCount(3):
            self.zoe.read(names)
        self.env.invalidate_all()
        with self.assertQueryCount(3):
            (self.zoe | self.john | partners).read(names)

    def test_customers_list_sorts_by_spend(self):
        customers = (
            self.env["contoso.customer"]
            .with_user(self.salesperson)
            .search(
                [("partner_id", "in", (self.zoe | self.john).ids)],
                order="spend_total desc",
            )
        )
        self.assertEqual(customers.mapped("name"), ["Zoé Dupont", "John Smith"])
        self.assertEqual(customers[0].spend_shop, 30)
        groups = self.env["contoso.customer"].read_group(
            [("partner_id", "in", (self.zoe | self.john).ids)],
            ["spend_web:sum"],
            [],
        )
        self.assertEqual(groups[0]["spend_web"], 150.5)

    # -- which spend, for whom ---------------------------------------------------

    def _order(self, partner, amount, company=None, user=None, taxes=None):
        env = self.env(context={"allowed_company_ids": (company or self.company).ids})
        order = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": (company or self.company).id,
                "user_id": (user or self.manager).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.hub.id,
                            "price_unit": amount,
                            "tax_ids": [Command.set((taxes or env["account.tax"]).ids)],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    @property
    def hub(self):
        return self.env["product.product"].search([("name", "=", "Hub")], limit=1)

    def test_spend_is_untaxed_and_the_family_revenue_definition(self):
        tax = self.env["account.tax"].create(
            {"name": "Test VAT 10%", "amount": 10, "company_id": self.company.id}
        )
        # Otto's order: the whole customer shows to every salesperson
        otto = self._role_user("other salesperson")
        self._order(self.zoe, 100, user=otto, taxes=tax)
        zoe = self.zoe.with_user(self.salesperson)
        self.assertEqual(zoe.contoso_spend_crm, 300)
        self.assertEqual(zoe.contoso_spend_total, 480.5)
        lifetime = self.zoe.with_user(self.manager).with_context(
            contoso_date_from="2000-01-01"
        )
        self.assertEqual(lifetime.contoso_revenue, zoe.contoso_spend_total)

    def test_spend_stays_within_the_users_companies(self):
        other = self.env.ref("base.EUR")
        if self.company.currency_id == other:
            other = self.env.ref("base.USD")
        other.active = True
        company_b = self.env["res.company"].create(
            {"name": "Contoso Europe", "currency_id": other.id}
        )
        # 1 in our currency = 2 of the other one
        self.env["res.currency.rate"].create(
            [
                {"currency_id": other.id, "rate": 2.0, "name": "2020-01-01"},
                {
                    "currency_id": other.id,
                    "rate": 2.0,
                    "name": "2020-01-01",
                    "company_id": company_b.id,
                },
            ]
        )
        self._order(self.zoe, 1000, company=company_b)
        # Sally works for the first company only: company B's order is not hers
        zoe = self.zoe.with_user(self.salesperson)
        self.assertEqual(zoe.contoso_spend_crm, 200)
        customers = self.env["contoso.customer"].with_user(self.salesperson)
        self.assertEqual(
            customers.search([("partner_id", "=", self.zoe.id)]).spend_crm, 200
        )
        # Bea works for both: company B's 1000 count at 500 in our currency
        bea = new_test_user(
            self.env,
            login="t_bea",
            name="Test Bea",
            groups="base.group_user,contoso_sales.group_salesperson",
            company_ids=[Command.set((self.company | company_b).ids)],
        )
        both = self.zoe.with_user(bea).with_context(
            allowed_company_ids=(self.company | company_b).ids
        )
        self.assertEqual(both.contoso_spend_crm, 700)
        self.assertEqual(both.contoso_purchase_count, 5)
        only_a = self.zoe.with_user(bea).with_context(
            allowed_company_ids=self.company.ids
        )
        self.assertEqual(only_a.contoso_spend_crm, 200)

    def test_only_sales_users_read_spend(self):
        employee = self._role_user("employee")
        zoe = self.zoe.with_user(employee)
        self.assertEqual(zoe.name, "Zoé Dupont")
        for field in (
            "contoso_spend_total",
            "contoso_spend_crm",
            "contoso_loyalty_ref",
        ):
            with self.subTest(field=field), self.assertRaises(AccessError):
                zoe.read([field])
        with self.assertRaises(AccessError):
            self.env["contoso.customer"].with_user(employee).search_read([], ["name"])

    def test_the_list_holds_the_customers_of_every_source_and_nobody_else(self):
        """A customer is a person with a contact id, an order or invoice, a
        purchase or a loyalty card, of the user's companies; every other
        partner (companies, vendors, colleagues, archived customers) is not."""
        Partner = self.env["res.partner"]
        ordered = Partner.create({"name": "Olga Ordered"})
        self._order(ordered, 40)
        carded = Partner.create({"name": "Carl Carded"})
        self.env["contoso.loyalty.member"].create(
            {
                "loyalty_ref": "LOYID_77",
                "name": "Carl Carded",
                "partner_id": carded.id,
                "company_id": self.company.id,
                "points": 7,
            }
        )
        self._import("online", ONLINE + "W9,C2,2024-02-03,12.00,Purchase,Sensor\r\n")
        nobody = Partner.create({"name": "Nina Nobody"})
        vendor = Partner.create({"name": "Acme Vendor Corp", "is_company": True})
        self._order(vendor, 60)
        gone = Partner.create({"name": "Gus Gone", "contoso_contact_ref": "C99"})
        gone.action_archive()
        rows = {
            c.partner_id: c
            for c in self.env["contoso.customer"].with_user(self.salesperson).search([])
        }
        for partner in (self.zoe, self.john, ordered, carded):
            self.assertIn(partner, rows, partner.name)
        for partner in (nobody, vendor, gone):
            self.assertNotIn(partner, rows, partner.name)
        self.assertEqual(rows[ordered].spend_crm, 40)
        self.assertEqual(rows[ordered].purchase_count, 1)
        self.assertEqual(
            (rows[carded].loyalty_ref, rows[carded].points), ("LOYID_77", 7)
        )
        self.assertEqual(rows[carded].spend_total, 0)
        self.assertEqual(rows[self.john].spend_web, 12)
