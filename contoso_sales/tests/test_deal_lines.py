from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestDealLines(ContosoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # no taxes: quotation totals are then exactly the lines' amounts
        cls.panel, cls.sensor = cls.env["product.product"].create(
            [
                {
                    "name": "Alarm Panel X1",
                    "list_price": 1000.0,
                    "sale_ok": True,
                    "taxes_id": [Command.clear()],
                },
                {
                    "name": "Motion Sensor",
                    "list_price": 50.0,
                    "sale_ok": True,
                    "taxes_id": [Command.clear()],
                },
            ]
        )
        cls.other_salesperson = cls._role_user("other salesperson")

    def _deal(self, user=None, lines=(), **vals):
        user = user or self.salesperson
        return (
            self.env["crm.lead"]
            .with_user(user)
            .create(
                {
                    "name": "Alarm for Fabrikam HQ",
                    "type": "opportunity",
                    "partner_id": self.customer.id,
                    "team_id": self.team.id,
                    "user_id": user.id,
                    "stage_id": self.stages["develop"].id,
                    "deal_line_ids": [Command.create(line) for line in lines],
                    **vals,
                }
            )
        )

    def test_lines_default_from_product_and_revenue_follows(self):
        deal = self._deal(
            lines=[
                {"product_id": self.panel.id, "product_uom_qty": 2},
                {"product_id": self.sensor.id, "product_uom_qty": 4, "discount": 10},
            ]
        )
        panel_line, sensor_line = deal.deal_line_ids
        self.assertEqual(panel_line.name, "Alarm Panel X1")
        self.assertEqual(panel_line.price_unit, 1000.0)
        self.assertEqual(panel_line.price_subtotal, 2000.0)
        self.assertEqual(sensor_line.price_subtotal, 180.0)
        self.assertEqual(panel_line.currency_id, deal.company_currency)
        self.assertEqual(deal.deal_lines_total, 2180.0)
        self.assertEqual(deal.expected_revenue, 2180.0)
        self.assertFalse(deal.expected_revenue_manual)

        # through the one2many, as the form does
        deal.write(
            {"deal_line_ids": [Command.update(panel_line.id, {"product_uom_qty": 3})]}
        )
        self.assertEqual(deal.expected_revenue, 3180.0)

        # directly on the lines, as an RPC client does
        lines = self.env["contoso.deal.line"].with_user(self.salesperson)
        extra = lines.create(
            {"lead_id": deal.id, "product_id": self.sensor.id, "price_unit": 40.0}
        )
        self.assertEqual(deal.expected_revenue, 3220.0)
        extra.write({"product_uom_qty": 5})
        self.assertEqual(deal.expected_revenue, 3380.0)
        lines.browse(panel_line.id).unlink()
        self.assertEqual(deal.deal_lines_total, 380.0)
        self.assertEqual(deal.expected_revenue, 380.0)
        self.assertFalse(deal.expected_revenue_manual)

    def test_lines_of_several_deals_in_one_batch(self):
        deal_a, deal_b = self._deal(), self._deal(name="Alarm for Fabrikam Depot")
        self.env["contoso.deal.line"].with_user(self.salesperson).create(
            [
                {"lead_id": deal_a.id, "product_id": self.panel.id},
                {"lead_id": deal_b.id, "product_id": self.sensor.id},
                {"lead_id": deal_b.id, "product_id": self.sensor.id, "discount": 50},
            ]
        )
        self.assertEqual(deal_a.expected_revenue, 1000.0)
        self.assertEqual(deal_b.expected_revenue, 75.0)

    def test_deal_without_lines_keeps_its_revenue(self):
        deal = self._deal(expected_revenue=12000.0)
        self.assertEqual(deal.expected_revenue, 12000.0)
        self.assertFalse(deal.expected_revenue_manual)
        deal.expected_revenue = 15000.0
        self.assertEqual(deal.expected_revenue, 15000.0)
        self.assertFalse(deal.expected_revenue_manual)

    def test_manual_revenue_then_follow_lines(self):
        deal = self._deal(lines=[{"product_id": self.panel.id}])
        # the lines' own total written back is not an override
        deal.expected_revenue = 1000.0
        self.assertFalse(deal.expected_revenue_manual)

        deal.expected_revenue = 5000.0
        self.assertTrue(deal.expected_revenue_manual)
        self.env["contoso.deal.line"].with_user(self.salesperson).create(
            {"lead_id": deal.id, "product_id": self.sensor.id}
        )
        self.assertEqual(deal.deal_lines_total, 1050.0)
        self.assertEqual(deal.expected_revenue, 5000.0)

        deal.action_follow_deal_lines()
        self.assertFalse(deal.expected_revenue_manual)
        self.assertEqual(deal.expected_revenue, 1050.0)

    def test_manual_revenue_from_the_form(self):
        deal = self._deal(lines=[{"product_id": self.panel.id}])
        with Form(deal) as form:
            with form.deal_line_ids.new() as line:
                line.product_id = self.sensor
            self.assertEqual(form.expected_revenue, 1050.0)
            self.assertFalse(form.expected_revenue_manual)
        self.assertEqual(deal.expected_revenue, 1050.0)
        self.assertFalse(deal.expected_revenue_manual)

        with Form(deal) as form:
            form.expected_revenue = 8000.0
            self.assertTrue(form.expected_revenue_manual)
        self.assertEqual(deal.expected_revenue, 8000.0)
        self.assertTrue(deal.expected_revenue_manual)

    def test_creating_deal_with_lines_and_other_revenue_is_manual(self):
        deal = self._deal(
            lines=[{"product_id": self.panel.id}], expected_revenue=1500.0
        )
        self.assertEqual(deal.expected_revenue, 1500.0)
        self.assertTrue(deal.expected_revenue_manual)

    def test_line_checks_name_deal_and_product(self):
        deal = self._deal(lines=[{"product_id": self.panel.id, "product_uom_qty": 2}])
        lines = self.env["contoso.deal.line"].with_user(self.salesperson)
        cases = [
            (
                {"product_uom_qty": 0},
                "Deal 'Alarm for Fabrikam HQ': the quantity of 'Motion Sensor' must "
                "be greater than zero (got 0.0). Set a positive quantity or remove "
                "the line.",
            ),
            (
                {"discount": 150},
                "Deal 'Alarm for Fabrikam HQ': the discount on 'Motion Sensor' must "
                "be between 0 and 100% (got 150.0%).",
            ),
            (
                {"discount": -5},
                "Deal 'Alarm for Fabrikam HQ': the discount on 'Motion Sensor' must "
                "be between 0 and 100% (got -5.0%).",
            ),
            (
                {"price_unit": -1},
                "Deal 'Alarm for Fabrikam HQ': the unit price of 'Motion Sensor' "
                "cannot be negative (got -1.0). Use a discount to lower it.",
            ),
        ]
        for bad_vals, message in cases:
            with (
                self.subTest(vals=bad_vals),
                self.assertRaises(ValidationError) as caught,
            ):
                lines.create(
                    {"lead_id": deal.id, "product_id": self.sensor.id, **bad_vals}
                )
            self.assertEqual(str(caught.exception), message)
        with self.assertRaises(ValidationError) as caught:
            deal.deal_line_ids.write({"discount": 101})
        self.assertEqual(
            str(caught.exception),
            "Deal 'Alarm for Fabrikam HQ': the discount on 'Alarm Panel X1' must "
            "be between 0 and 100% (got 101.0%).",
        )
        self.assertEqual(deal.deal_line_ids.mapped("product_uom_qty"), [2.0])
        self.assertEqual(deal.deal_line_ids.discount, 0.0)
        self.assertEqual(deal.expected_revenue, 2000.0)

    def _quotation_from_deal(self, deal):
        action = deal.with_user(self.salesperson).action_sale_quotations_new()
        self.assertEqual(action["res_model"], "sale.order")
        orders = self.env["sale.order"].with_user(self.salesperson)
        order = Form(orders.with_context(**action["context"])).save()
        self.assertEqual(order.opportunity_id, deal)
        return order, [
            (
                line.product_id,
                line.name,
                line.product_uom_qty,
                line.price_unit,
                line.discount,
            )
            for line in order.order_line
        ]

    def test_new_quotation_is_prefilled_from_lines(self):
        deal = self._deal(
            lines=[
                {"product_id": self.panel.id, "product_uom_qty": 2},
                {
                    "product_id": self.sensor.id,
                    "name": "Sensors, hallway and garage",
                    "product_uom_qty": 6,
                    "price_unit": 45.0,
                    "discount": 10,
                },
            ]
        )
        self.salesperson.group_ids += self.env.ref("sale.group_discount_per_so_line")
        order, lines = self._quotation_from_deal(deal)
        self.assertEqual(
            lines,
            [
                (self.panel, "Alarm Panel X1", 2.0, 1000.0, 0.0),
                (self.sensor, "Sensors, hallway and garage", 6.0, 45.0, 10.0),
            ],
        )
        self.assertEqual(order.amount_total, 2243.0)

    def test_quotation_without_discount_feature_keeps_discounted_price(self):
        deal = self._deal(
            lines=[
                {
                    "product_id": self.sensor.id,
                    "product_uom_qty": 6,
                    "price_unit": 45.0,
                    "discount": 10,
                },
            ]
        )
        self.assertFalse(self.salesperson.has_group("sale.group_discount_per_so_line"))
        order, lines = self._quotation_from_deal(deal)
        self.assertEqual(lines, [(self.sensor, "Motion Sensor", 6.0, 40.5, 0.0)])
        self.assertEqual(order.amount_total, 243.0)

    def test_quotation_iterations_stay_counted(self):
        deal = self._deal(lines=[{"product_id": self.panel.id, "product_uom_qty": 2}])
        self.assertEqual(deal.contoso_quote_iteration_count, 0)
        self.assertFalse(deal.contoso_latest_quote_id)

        orders = self.env["sale.order"].with_user(self.salesperson)
        context = deal.with_user(self.salesperson).action_new_quotation()["context"]
        first = orders.with_context(**context).create({})
        first.action_quotation_sent()
        self.assertEqual(first.state, "sent")

        deal.deal_line_ids.product_uom_qty = 3
        context = deal.with_user(self.salesperson).action_new_quotation()["context"]
        second = orders.with_context(**context).create({})
        self.assertEqual(second.amount_total, 3000.0)

        self.assertEqual(deal.contoso_quote_iteration_count, 2)
        self.assertEqual(deal.contoso_latest_quote_id, second)
        self.assertEqual(deal.contoso_latest_quote_amount, 3000.0)

        first.action_confirm()
        self.assertEqual(first.state, "sale")
        action = deal.with_user(self.salesperson).action_view_sale_quotation()
        self.assertNotIn("search_default_draft", action["context"])
        self.assertEqual(orders.search(action["domain"]), first | second)

        second.action_cancel()
        deal.invalidate_recordset()
        self.assertEqual(deal.contoso_quote_iteration_count, 1)
        self.assertEqual(deal.contoso_latest_quote_id, first)
        self.assertEqual(deal.contoso_latest_quote_amount, 2000.0)

    def test_salesperson_cannot_read_lines_of_another_salespersons_deal(self):
        others_deal = self._deal(
            user=self.other_salesperson, lines=[{"product_id": self.panel.id}]
        )
        line = others_deal.deal_line_ids
        lines = self.env["contoso.deal.line"]
        self.assertFalse(
            lines.with_user(self.salesperson).search([("lead_id", "=", others_deal.id)])
        )
        with self.assertRaises(AccessError):
            line.with_user(self.salesperson).read(["price_subtotal"])
        with self.assertRaises(AccessError):
            lines.with_user(self.salesperson).create(
                {"lead_id": others_deal.id, "product_id": self.sensor.id}
            )
        self.assertEqual(
            lines.with_user(self.manager).search([("lead_id", "=", others_deal.id)]),
            line,
        )
        own_deal = self._deal(lines=[{"product_id": self.sensor.id}])
        self.assertEqual(lines.with_user(self.salesperson).search([]).lead_id, own_deal)
