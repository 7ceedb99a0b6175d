from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .test_tour_pipeline import ContosoTourCase


@tagged("post_install", "-at_install", "contoso_tour")
class TestOrderToCashTour(ContosoTourCase):
    def test_salesperson_part_of_order_to_cash(self):
        sally = self._team_user("tour_sally", "salesperson")
        sally.group_ids = [
            Command.link(self.env.ref("sale.group_discount_per_so_line").id)
        ]
        # invoiced on order: the order is ready to invoice once confirmed
        vendor = self.env["res.partner"].create(
            {"name": "Tour Northwind Supply", "is_company": True}
        )
        doorbell = self.env["product.product"].create(
            {
                "name": "Contoso Smart Doorbell Pro",
                "list_price": 250.0,
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
                "is_storable": True,
                "seller_ids": [Command.create({"partner_id": vendor.id, "price": 100})],
            }
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": doorbell.id,
                "warehouse_id": warehouse.id,
                "location_id": warehouse.lot_stock_id.id,
                "route_id": self.env.ref("purchase_stock.route_warehouse0_buy").id,
                "trigger": "auto",
                "product_min_qty": 0,
                "product_max_qty": 0,
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

        self._replenish_deliver_invoice_and_get_paid(order, vendor)

    def _replenish_deliver_invoice_and_get_paid(self, order, vendor):
        """The rest of the flow, each step in the browser as the user whose job
        it is: purchaser, stock user (receipt, delivery), accountant."""
        for login, groups in (
            ("tour_percy", "purchase.group_purchase_user"),
            ("tour_stan", "stock.group_stock_user"),
            ("tour_alice", "account.group_account_invoice"),
        ):
            new_test_user(
                self.env,
                login=login,
                password=login,
                groups=f"base.group_user,{groups}",
            )
        rfq = self.env["purchase.order"].search([("partner_id", "=", vendor.id)])
        self.assertEqual(rfq.state, "draft")
        self.assertEqual(rfq.order_line.product_qty, 20)
        self.start_tour(
            f"/odoo/purchase/{rfq.id}",
            "contoso_order_to_cash_purchase",
            login="tour_percy",
        )
        # the browser changed the records in its own requests
        self.env.invalidate_all()
        self.assertEqual(rfq.state, "purchase")
        for picking in (rfq.picking_ids, order.picking_ids):
            self.start_tour(
                f"/odoo/action-stock.action_picking_tree_all/{picking.id}",
                "contoso_order_to_cash_validate",
                login="tour_stan",
            )
            self.env.invalidate_all()
            self.assertEqual(picking.state, "done")
        self.assertEqual(order.order_line.qty_delivered, 20)
        self.start_tour(
            f"/odoo/action-sale.action_orders/{order.id}",
            "contoso_order_to_cash_invoice",
            login="tour_alice",
        )
        self.env.invalidate_all()
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, 4250.0)
        self.assertEqual(invoice.payment_state, "paid")
