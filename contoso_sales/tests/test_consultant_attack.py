from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged

from .common import ContosoCase
from .test_consultant_view import ConsultantDealMixin


@tagged("post_install", "-at_install")
class TestConsultantDoesNotSell(ConsultantDealMixin, ContosoCase):
    """A technical consultant verifies deals; he sells nothing, on no path:
    not on an unassigned deal or quotation either (Odoo's own rules let every
    salesman edit those)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_deal(cls.salesperson)
        cls.open_quotation = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": False,
                "order_line": [
                    Command.create({"product_id": cls.kit.id, "product_uom_qty": 1})
                ],
            }
        )

    def test_no_quotation_line_on_an_unassigned_quotation(self):
        order = self.open_quotation.with_user(self.consultant)
        with self.assertRaises(AccessError):
            self.env["sale.order.line"].with_user(self.consultant).create(
                {"order_id": order.id, "product_id": self.camera.id}
            )
        with self.assertRaises(AccessError):
            order.order_line.write({"price_unit": 1.0})
        with self.assertRaises(AccessError):
            order.order_line.unlink()

    def test_no_change_to_an_unassigned_quotation(self):
        order = self.open_quotation.with_user(self.consultant)
        with self.assertRaises(AccessError):
            order.write({"note": "x"})
        with self.assertRaises(AccessError):
            order.action_confirm()
        with self.assertRaises(AccessError):
            order.unlink()
        self.assertEqual(self.open_quotation.state, "draft")

    def test_no_won_deal_created_directly(self):
        won = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        with self.assertRaises(AccessError):
            self.env["crm.lead"].with_user(self.consultant).create(
                {
                    "name": "Tom's own sale",
                    "type": "opportunity",
                    "stage_id": won.id,
                    "expected_revenue": 900.0,
                }
            )

    def test_no_won_on_an_unassigned_deal(self):
        self.deal.user_id = False
        deal = self.deal.with_user(self.consultant)
        # AccessError, or the gate's ValidationError: both are UserErrors
        with self.assertRaises(UserError):
            deal.action_set_won_rainbowman()
        with self.assertRaises(AccessError):
            deal.deal_line_ids[0].write({"product_uom_qty": 1})
        with self.assertRaises(AccessError):
            deal.write({"stage_id": self.stages["close"].id})

    def test_no_nurturing_started_by_the_consultant(self):
        # Start nurturing is the salesperson's; the consultant cannot even see
        # whether a cadence runs on the deal (its enrolments are not his to read).
        self.team.contoso_nurture = True
        deal = self.deal.with_user(self.consultant)
        with self.assertRaisesRegex(AccessError, "technical consultant"):
            deal.action_contoso_nurture_start()
        self.deal.action_contoso_nurture_start()
        with self.assertRaisesRegex(AccessError, "technical consultant"):
            deal.action_contoso_nurture_start()
