from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .test_family_hierarchy import FamilyCase


@tagged("post_install", "-at_install")
class TestFamilyPricing(FamilyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Pricelist = cls.env["product.pricelist"]
        cls.family_list = Pricelist.create({"name": "T Family 15%"})
        cls.other_list = Pricelist.create({"name": "T Other"})
        cls.root = cls._company("T Holding", user=cls.manager)
        cls.sub_a = cls._company("T Sub A", cls.root, user=cls.salesperson)
        cls.sub_b = cls._company("T Sub B", cls.sub_a, user=cls.salesperson)
        cls.other = cls._company("T Elsewhere", user=cls.salesperson)

    def _pricing(self, partner):
        return (
            partner.specific_property_product_pricelist,
            partner.contoso_standard_discount,
        )

    def test_parent_pricing_reaches_existing_and_new_subsidiaries(self):
        self.root.with_user(self.salesperson).write(
            {
                "specific_property_product_pricelist": self.family_list.id,
                "contoso_standard_discount": 15.0,
            }
        )
        expected = (self.family_list, 15.0)
        self.assertEqual(self._pricing(self.sub_a), expected)
        self.assertEqual(self._pricing(self.sub_b), expected)
        new = self._company("T New Sub", self.sub_b)
        self.assertEqual(self._pricing(new), expected)
        # The form's pricelist field goes through the same path.
        self.root.property_product_pricelist = self.other_list
        self.assertEqual(
            self.sub_b.specific_property_product_pricelist, self.other_list
        )
        self.assertFalse(
            (self.sub_a | self.sub_b | new).filtered("contoso_pricing_deviates")
        )

    def test_joining_a_family_takes_its_pricing(self):
        self.root.contoso_standard_discount = 15.0
        outsider = self._company("T Outsider", contoso_standard_discount=5.0)
        below = self._company("T Outsider Shop", outsider)
        self.assertEqual(below.contoso_standard_discount, 5.0)
        outsider.parent_id = self.sub_a
        self.assertEqual(
            (outsider | below).mapped("contoso_standard_discount"), [15.0, 15.0]
        )

    def test_deviation_flagged_and_aligned(self):
        self.root.contoso_standard_discount = 15.0
        self.sub_b.contoso_standard_discount = 12.0
        self.assertTrue(self.sub_b.contoso_pricing_deviates)
        self.assertFalse(self.sub_a.contoso_pricing_deviates)
        self.assertFalse(self.root.contoso_pricing_deviates)
        Partner = self.env["res.partner"].with_user(self.salesperson)
        deviating = Partner.search([("contoso_pricing_deviates", "=", True)])
        self.assertIn(self.sub_b, deviating)
        self.assertNotIn(self.sub_a, deviating)
        self.assertIn(
            self.sub_a, Partner.search([("contoso_pricing_deviates", "=", False)])
        )

        self.sub_b.with_user(self.salesperson).action_contoso_align_family()
        self.assertEqual(self.sub_b.contoso_standard_discount, 15.0)
        self.assertFalse(self.sub_b.contoso_pricing_deviates)

    def test_pricelist_deviation(self):
        self.root.specific_property_product_pricelist = self.family_list
        self.sub_a.specific_property_product_pricelist = self.other_list
        self.assertTrue(self.sub_a.contoso_pricing_deviates)
        self.assertIn(
            self.sub_a,
            self.env["res.partner"].search([("contoso_pricing_deviates", "=", True)]),
        )

    def test_manager_allows_a_documented_exception(self):
        vals = {
            "contoso_pricing_exception": True,
            "contoso_pricing_exception_reason": "Contract signed before the merger.",
            "contoso_standard_discount": 12.0,
        }
        with self.assertRaisesRegex(AccessError, "Only sales managers"):
            self.sub_b.with_user(self.salesperson).write(vals)
        self.assertFalse(self.sub_b.contoso_pricing_exception)

        with self.assertRaises(ValidationError) as caught:
            self.sub_b.with_user(self.manager).write(
                {"contoso_pricing_exception": True}
            )
        self.assertEqual(
            str(caught.exception),
            "'T Sub B': a pricing exception needs a reason. Write why this "
            "subsidiary keeps its own pricing in 'Exception Reason'.",
        )

        self.sub_b.with_user(self.manager).write(vals)
        self.assertFalse(self.sub_b.contoso_pricing_deviates)
        # The family's later changes leave the exception alone.
        self.root.contoso_standard_discount = 15.0
        self.assertEqual(self.sub_b.contoso_standard_discount, 12.0)
        self.assertEqual(self.sub_a.contoso_standard_discount, 15.0)
        # The exception is tracked for the auditors.
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = self.sub_b.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("contoso_pricing_exception", tracked)
        self.assertIn("contoso_pricing_exception_reason", tracked)

        # Lifting it (aligning) is a manager's call too.
        with self.assertRaisesRegex(AccessError, "Only sales managers"):
            self.sub_b.with_user(self.salesperson).action_contoso_align_family()
        self.sub_b.with_user(self.manager).action_contoso_align_family()
        self.assertEqual(self.sub_b.contoso_standard_discount, 15.0)
        self.assertFalse(self.sub_b.contoso_pricing_exception)

    def test_family_discount_on_order_lines(self):
        self.root.contoso_standard_discount = 15.0
        order = (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": self.sub_b.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.kit.id, "product_uom_qty": 2}
                        )
                    ],
                }
            )
        )
        line = order.order_line
        self.assertEqual(line.discount, 15.0)
        self.assertEqual(line.price_subtotal, 1020.0)  # 2 x 600 less 15%
        # the salesperson may still grant more on one line
        line.discount = 20.0
        self.assertEqual(line.price_subtotal, 960.0)
        order.action_confirm()
        # a later family discount does not reprice the confirmed order
        self.root.contoso_standard_discount = 5.0
        self.assertEqual(line.discount, 20.0)
        # an account outside any discount keeps Odoo's pricing
        elsewhere = self.env["sale.order"].create(
            {
                "partner_id": self.other.id,
                "order_line": [Command.create({"product_id": self.kit.id})],
            }
        )
        self.assertEqual(elsewhere.order_line.discount, 0.0)

    def test_discount_out_of_range_refused(self):
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.root.contoso_standard_discount = 120.0
