from odoo.tests import tagged

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
