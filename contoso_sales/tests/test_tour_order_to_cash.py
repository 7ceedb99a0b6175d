from odoo.fields import Command
from odoo.tests import tagged

from .test_tour_pipeline import ContosoTourCase


@tagged("post_install", "-at_install", "contoso_tour")
class TestOrderToCashTour(ContosoTourCase):
    def test_salesperson_part_of_order_to_cash(self):
        sally = self._team_user("tour_sally", "salesperson")
        sally.group_ids = [
            Command.link(self.env.ref("sale.group_discount_per_so_line").id)
        ]
        # invoiced on order: the order is ready to invoice once confirmed
        doorbell = self.env["product.product"].create(
            {
                "name": "Contoso Smart Doorbell Pro",
                "list_price": 250.0,
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Trade show: Northwind doorbells",
                "type": "lead",
                "contact_name": "Nina North",
                "partner_name": "Tour Northwind Traders",
                "team_id": self.env.ref("contoso_sales.team_contoso").id,
                "user_id": sally.id,
            }
        )

        self.start_tour(
            f"/odoo/crm/{lead.id}", "contoso_order_to_cash", login="tour_sally"
        )

        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(
            lead.partner_id.commercial_partner_id.name, "Tour Northwind Traders"
        )
        order = lead.order_ids
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.user_id, sally)
        self.assertEqual(order.order_line.product_id, doorbell)
        self.assertEqual(order.order_line.product_uom_qty, 20)
        self.assertEqual(order.order_line.discount, 15)
        self.assertEqual(order.amount_total, 4250.0)
        self.assertEqual(order.invoice_status, "to invoice")
        self.assertFalse(order.invoice_ids)
