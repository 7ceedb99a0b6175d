import io
from datetime import date

from freezegun import freeze_time
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged
from PyPDF2 import PdfReader

from .common import ContosoCase

REFUSAL = (
    "Test Sally cannot create, post or edit customer invoices ({documents}): only "
    "users with the Accounting rights 'Invoicing' can. Ask an accountant to "
    "invoice it."
)


@tagged("post_install", "-at_install")
class TestOrderToCash(ContosoCase):
    """The Odoo CRM course's order-to-cash flow on Contoso data, each step done
    by the user whose job it is."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Sally gives discounts on quotation lines (Odoo's Discounts setting)
        cls.salesperson.group_ids = [
            Command.link(cls.env.ref("sale.group_discount_per_so_line").id)
        ]
        cls.stock_user = new_test_user(
            cls.env,
            login="t_stan",
            name="Test Stan",
            groups="base.group_user,stock.group_stock_user",
        )
        cls.accountant = cls._role_user("accountant")
        cls.purchaser = new_test_user(
            cls.env,
            login="t_percy",
            name="Test Percy",
            groups="base.group_user,purchase.group_purchase_user",
        )
        cls.vendor = cls.env["res.partner"].create(
            {"name": "Test Northwind Security Supply", "is_company": True}
        )
        # no taxes: every amount below is exactly quantity × price × discount
        cls.doorbell, cls.thermostat = cls.env["product.product"].create(
            [
                {
                    "name": "Contoso Smart Doorbell Pro",
                    "is_storable": True,
                    "list_price": 250.0,
                    "invoice_policy": "delivery",
                    "taxes_id": [Command.clear()],
                },
                {
                    "name": "Contoso Smart Thermostat T2",
                    "is_storable": True,
                    "list_price": 180.0,
                    "invoice_policy": "delivery",
                    "taxes_id": [Command.clear()],
                },
            ]
        )
        cls.term = cls.env.ref("contoso_sales.payment_term_30_days_end_of_month")
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        # Replenishment as the course sets it up: a vendor on each product and
        # a reorder rule at 0/0 that buys what an order takes below zero.
        for product in cls.doorbell | cls.thermostat:
            product.seller_ids = [
                Command.create(
                    {"partner_id": cls.vendor.id, "price": 0.4 * product.list_price}
                )
            ]
        cls.env["stock.warehouse.orderpoint"].create(
            [
                {
                    "product_id": product.id,
                    "warehouse_id": cls.warehouse.id,
                    "location_id": cls.warehouse.lot_stock_id.id,
                    "route_id": cls.env.ref("purchase_stock.route_warehouse0_buy").id,
                    "trigger": "auto",
                    "product_min_qty": 0,
                    "product_max_qty": 0,
                }
                for product in cls.doorbell | cls.thermostat
            ]
        )

    # -- steps -------------------------------------------------------------------

    def _trade_show_lead(self):
        """The manager enters a trade-show contact and assigns it to Sally, who
        plans a call and a meeting, makes the call and converts the lead."""
        lead = (
            self.env["crm.lead"]
            .with_user(self.manager)
            .create(
                {
                    "name": "Trade show: Northwind alarm systems",
                    "type": "lead",
                    "contact_name": "Nina North",
                    "partner_name": "Northwind Traders",
                    "email_from": "nina@northwind.example.com",
                    "team_id": self.team.id,
                }
            )
        )
        lead.write({"user_id": self.salesperson.id})
        as_sally = lead.with_user(self.salesperson)
        call = as_sally.activity_schedule(
            "mail.mail_activity_data_call",
            summary="Call Nina after the trade show",
            user_id=self.salesperson.id,
        )
        as_sally.activity_schedule(
            "mail.mail_activity_data_meeting",
            summary="Site visit at Northwind",
            user_id=self.salesperson.id,
        )
        call.with_user(self.salesperson).action_feedback("Interested in doorbells")
        self.assertEqual(
            lead.activity_ids.activity_type_id,
            self.env.ref("mail.mail_activity_data_meeting"),
        )
        convert = (
            self.env["crm.lead2opportunity.partner"]
            .with_user(self.salesperson)
            .with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            )
            .create({"name": "convert", "action": "create"})
        )
        convert.action_apply()
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(
            lead.partner_id.commercial_partner_id.name, "Northwind Traders"
        )
        return lead

    def _quotation(self, deal, product, qty, discount):
        """Sally puts the products on the deal and makes the quotation from it."""
        as_sally = deal.with_user(self.salesperson)
        as_sally.deal_line_ids = [
            Command.create(
                {"product_id": product.id, "product_uom_qty": qty, "discount": discount}
            )
        ]
        action = as_sally.action_sale_quotations_new()
        with Form(
            self.env["sale.order"]
            .with_user(self.salesperson)
            .with_context(**action["context"])
        ) as form:
            form.payment_term_id = self.term
        return form.record

    def _sally_tries_to_invoice(self, order):
        """Every way a salesperson could invoice the order; all are refused."""
        as_sally = order.with_user(self.salesperson)
        wizard = self.env["sale.advance.payment.inv"].with_user(self.salesperson)
        context = {"active_model": "sale.order", "active_ids": order.ids}
        attempts = {
            "invoice wizard": lambda: (
                wizard.with_context(**context)
                .create({"advance_payment_method": "delivered"})
                .create_invoices()
            ),
            "down payment wizard": lambda: (
                wizard.with_context(**context)
                .create({"advance_payment_method": "percentage", "amount": 30})
                .create_invoices()
            ),
            "sale.order._create_invoices": lambda: as_sally._create_invoices(),
            "account.move.create": lambda: (
                self.env["account.move"]
                .with_user(self.salesperson)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": order.partner_id.id,
                        "invoice_line_ids": [
                            Command.create(
                                {"product_id": self.doorbell.id, "quantity": 20}
                            )
                        ],
                    }
                )
            ),
        }
        for path, attempt in attempts.items():
            with self.subTest(path=path), self.assertRaises(AccessError) as caught:
                attempt()
            documents = "a new invoice" if path == "account.move.create" else order.name
            self.assertEqual(str(caught.exception), REFUSAL.format(documents=documents))
        self.env.invalidate_all()
        self.assertFalse(order.invoice_ids)
        self.assertFalse(order.order_line.filtered("is_downpayment"))
        # no button, no Action menu entry; the accountant has both
        wizard_action = self.env.ref("sale.action_view_sale_advance_payment_inv")
        button = f'name="{wizard_action.id}"'
        for user, shown in ((self.salesperson, False), (self.accountant, True)):
            orders = self.env["sale.order"].with_user(user)
            views = orders.get_views([(False, "form"), (False, "list")])["views"]
            bindings = self.env["ir.actions.actions"].with_user(user)
            actions = bindings.get_bindings("sale.order").get("action", [])
            with self.subTest(user=user.name):
                self.assertEqual(button in views["form"]["arch"], shown)
                self.assertEqual(button in views["list"]["arch"], shown)
                self.assertEqual(wizard_action.id in [a["id"] for a in actions], shown)

    def _replenish_and_deliver(self, order, qty):
        """The order took the stock below zero: the reorder rule made a request
        for quotation to the vendor. The purchaser confirms it; the stock user
        receives the goods and ships them (a pure purchase user cannot validate
        a receipt that serves a sales order: it reads the order)."""
        product = order.order_line.product_id
        delivery = order.picking_ids.with_user(self.stock_user)
        self.assertEqual(product.with_user(self.stock_user).qty_available, 0)
        self.assertEqual(delivery.state, "confirmed")  # waiting for stock
        rfq = (
            self.env["purchase.order"]
            .with_user(self.purchaser)
            .search([("order_line.product_id", "=", product.id)])
        )
        self.assertEqual(len(rfq), 1)
        self.assertEqual(rfq.state, "draft")
        self.assertEqual(rfq.partner_id, self.vendor)
        self.assertEqual(rfq.order_line.product_qty, qty)
        self.assertEqual(rfq.order_line.price_unit, 0.4 * product.list_price)
        rfq.button_confirm()
        self.assertEqual(rfq.state, "purchase")
        receipt = rfq.picking_ids.with_user(self.stock_user)
        self.assertEqual(receipt.picking_type_id, self.warehouse.in_type_id)
        receipt.move_ids.write({"quantity": qty, "picked": True})
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(rfq.order_line.qty_received, qty)
        self.assertEqual(product.with_user(self.stock_user).qty_available, qty)
        delivery.action_assign()
        self.assertEqual(delivery.state, "assigned")
        delivery.move_ids.write({"quantity": qty, "picked": True})
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        self.assertEqual(product.with_user(self.stock_user).qty_available, 0)

    def _invoice_pdf_text(self, invoice):
        """The invoice as the accountant prints it: a real PDF from wkhtmltopdf
        (in tests Odoo renders HTML unless forced), read back as text."""
        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("account.account_invoices", invoice.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        return " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages
        )

    # -- the flow ----------------------------------------------------------------

    @freeze_time("2025-03-10")
    def test_order_to_cash(self):
        deal = self._trade_show_lead()

        # 20 doorbells with a 15% discount: 20 × 250 × 0.85
        order = self._quotation(deal, self.doorbell, 20, 15)
        self.assertEqual(order.opportunity_id, deal)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.order_line.discount, 15)
        self.assertEqual(order.amount_untaxed, 4250.0)
        self.assertEqual(order.amount_total, 4250.0)
        self.assertEqual(deal.expected_revenue, 4250.0)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.invoice_status, "no")  # invoiced on delivery
        self.assertEqual(deal.contoso_latest_quote_amount, 4250.0)
        deal.with_user(self.salesperson).action_set_won()
        self.assertEqual(deal.stage_id, self.stages["close"])

        self._replenish_and_deliver(order, 20)
        self.assertEqual(order.order_line.qty_delivered, 20)
        self.assertEqual(order.invoice_status, "to invoice")

        self._sally_tries_to_invoice(order)

        # the accountant invoices; the term comes from the order
        invoice_action = (
            self.env["sale.advance.payment.inv"]
            .with_user(self.accountant)
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "delivered"})
            .create_invoices()
        )
        invoice = order.invoice_ids
        self.assertEqual(invoice_action["res_id"], invoice.id)
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.invoice_payment_term_id, self.term)
        self.assertEqual(invoice.amount_total, 4250.0)

        # a draft invoice stays out of Sally's hands
        as_sally = invoice.with_user(self.salesperson)
        ref = invoice.ref
        for path, attempt in {
            "write": lambda: as_sally.write({"ref": "PO 1234"}),
            "action_post": as_sally.action_post,
        }.items():
            with self.subTest(path=path), self.assertRaises(AccessError) as caught:
                attempt()
            self.assertEqual(
                str(caught.exception), REFUSAL.format(documents=invoice.display_name)
            )
        self.env.invalidate_all()
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(invoice.ref, ref)

        invoice.with_user(self.accountant).action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoice_date, date(2025, 3, 10))
        # 30 days after March 10 is April 9; end of that month
        self.assertEqual(invoice.invoice_date_due, date(2025, 4, 30))
        self.assertEqual(order.invoice_status, "invoiced")
        text = " ".join(self._invoice_pdf_text(invoice).split())
        for expected in (
            "Northwind Traders",
            invoice.name,
            "Contoso Smart Doorbell Pro",
            "15.00",  # the discount column
            "4,250.00",
            "Payment terms: 30 Days End of Month",
            "04/30/2025",
        ):
            with self.subTest(printed=expected):
                self.assertIn(expected, text)

        payment = (
            self.env["account.payment.register"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"payment_date": date(2025, 4, 28)})
            ._create_payments()
        )
        self.assertEqual(payment.amount, 4250.0)
        self.assertEqual(payment.state, "paid")
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(invoice.payment_state, "paid")

    @freeze_time("2025-03-10")
    def test_second_prospect_gets_five_percent(self):
        deal = (
            self.env["crm.lead"]
            .with_user(self.salesperson)
            .create(
                {
                    "name": "Tailspin thermostats",
                    "type": "opportunity",
                    "partner_id": self.customer.id,
                    "team_id": self.team.id,
                    "user_id": self.salesperson.id,
                }
            )
        )
        # 10 thermostats with 5% off: 10 × 180 × 0.95
        order = self._quotation(deal, self.thermostat, 10, 5)
        self.assertEqual(order.order_line.discount, 5)
        self.assertEqual(order.amount_total, 1710.0)
        order.with_user(self.salesperson).action_quotation_sent()
        self.assertEqual(order.state, "sent")
        self.assertEqual(deal.contoso_latest_quote_amount, 1710.0)

    def test_third_deal_lost_with_a_reason(self):
        reason = self.env["crm.lost.reason"].create({"name": "Chose a competitor"})
        deal = (
            self.env["crm.lead"]
            .with_user(self.salesperson)
            .create(
                {
                    "name": "Fabrikam lobby cameras",
                    "type": "opportunity",
                    "partner_id": self.customer.id,
                    "team_id": self.team.id,
                    "user_id": self.salesperson.id,
                    "expected_revenue": 3000,
                }
            )
        )
        self.env["crm.lead.lost"].with_user(self.salesperson).create(
            {
                "lead_ids": [Command.set(deal.ids)],
                "lost_reason_id": reason.id,
                "lost_feedback": "<p>Price.</p>",
            }
        ).action_lost_reason_apply()
        self.assertFalse(deal.active)
        self.assertEqual(deal.probability, 0)
        self.assertEqual(deal.lost_reason_id, reason)
        self.assertEqual(deal.won_status, "lost")

    def test_payment_term_is_thirty_days_then_end_of_month(self):
        for invoice_date, due in (
            (date(2025, 1, 15), date(2025, 2, 28)),
            (date(2025, 1, 31), date(2025, 3, 31)),
            (date(2025, 12, 5), date(2026, 1, 31)),
        ):
            with self.subTest(invoice_date=invoice_date):
                self.assertEqual(self.term.line_ids._get_due_date(invoice_date), due)
