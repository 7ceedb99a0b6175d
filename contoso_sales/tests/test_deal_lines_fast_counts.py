from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestDealLinesFastCounts(ContosoCase):
    """The quotation iterations read from sale_crm's order_ids (08f0aed) show
    what the sale.order read group showed: on a deal being edited, and to a
    salesperson who cannot read every order of his deal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.panel = cls.env["product.product"].create(
            {
                "name": "Alarm Panel X1",
                "list_price": 1000.0,
                "sale_ok": True,
                "taxes_id": [Command.clear()],
            }
        )
        cls.other_salesperson = cls._role_user("other salesperson")
        cls.deal = (
            cls.env["crm.lead"]
            .with_user(cls.salesperson)
            .create(
                {
                    "name": "Alarm for Fabrikam HQ",
                    "type": "opportunity",
                    "partner_id": cls.customer.id,
                    "team_id": cls.team.id,
                    "user_id": cls.salesperson.id,
                    "stage_id": cls.stages["develop"].id,
                }
            )
        )
        cls.first, cls.second = cls.env["sale.order"].create(
            [
                {
                    "partner_id": cls.customer.id,
                    "opportunity_id": cls.deal.id,
                    "user_id": cls.salesperson.id,
                    "order_line": [
                        Command.create(
                            {"product_id": cls.panel.id, "product_uom_qty": q}
                        )
                    ],
                }
                for q in (1, 2)
            ]
        )

    def _assert_latest(self, deal, count, latest, amount):
        self.assertEqual(deal.contoso_quote_iteration_count, count)
        self.assertEqual(deal.contoso_latest_quote_id._origin, latest)
        self.assertEqual(deal.contoso_latest_quote_amount, amount)

    def test_edited_deal_keeps_its_latest_quotation(self):
        deal = self.deal.with_user(self.salesperson)
        self._assert_latest(deal, 2, self.second, 2000.0)
        # the form's onchange computes on a new record with the deal as origin
        self._assert_latest(deal.new(origin=deal), 2, self.second, 2000.0)
        with Form(deal) as form:
            form.name = "Alarm for Fabrikam HQ, phase 2"
            self.assertEqual(form.contoso_quote_iteration_count, 2)
            self.assertEqual(form.contoso_latest_quote_amount, 2000.0)

    def test_orders_the_salesperson_cannot_read_stay_out(self):
        # a quotation of another salesperson on Sally's deal: not hers to read
        hidden = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "opportunity_id": self.deal.id,
                "user_id": self.other_salesperson.id,
                "order_line": [
                    Command.create({"product_id": self.panel.id, "product_uom_qty": 5})
                ],
            }
        )
        self.assertFalse(hidden.with_user(self.salesperson).has_access("read"))
        # the deal's orders already read in this transaction by the superuser
        # (an automated action, a cron, sale_crm's merge...)
        self.assertIn(hidden, self.deal.sudo().order_ids)
        deal = self.deal.with_user(self.salesperson)
        self._assert_latest(deal, 2, self.second, 2000.0)
