from odoo.fields import Command
from odoo.tests import tagged

from .http_common import ContosoHttpCase, rpc_salesperson


@tagged("post_install", "-at_install", "contoso_http")
class TestInvoiceBlockOverRpc(ContosoHttpCase):
    """A salesperson's client that never opens a form cannot invoice either."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sally = rpc_salesperson(cls.env)
        cls.customer = cls.env["res.partner"].create(
            {"name": "RPC Northwind", "is_company": True}
        )
        # invoiced on order: ready to invoice as soon as it is confirmed
        cls.product = cls.env["product.product"].create(
            {
                "name": "Contoso Monitoring Plan",
                "type": "service",
                "list_price": 30.0,
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": cls.sally.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.product.id, "product_uom_qty": 12}
                    )
                ],
            }
        )
        cls.order.action_confirm()
        # an accountant's draft invoice of another order of Sally's
        cls.draft = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_user_id": cls.sally.id,
                "invoice_line_ids": [
                    Command.create({"product_id": cls.product.id, "quantity": 1})
                ],
            }
        )

    def assertRefused(self, reply, documents):
        self.assertIn("error", reply, f"the call succeeded: {reply.get('result')}")
        data = reply["error"]["data"]
        self.assertEqual(data["name"], "odoo.exceptions.AccessError")
        self.assertEqual(
            data["message"],
            f"RPC Sally cannot create, post or edit customer invoices ({documents}): "
            "only users with the Accounting rights 'Invoicing' can. Ask an "
            "accountant to invoice it.",
        )

    def test_every_invoicing_call_is_refused(self):
        self.login(self.sally)
        context = {"active_model": "sale.order", "active_ids": self.order.ids}
        for method in ("delivered", "percentage"):
            with self.subTest(method=method):
                reply = self.call_kw_reply(
                    "sale.advance.payment.inv",
                    "create",
                    [{"advance_payment_method": method, "amount": 20}],
                    {"context": context},
                )
                wizard_id = reply["result"]
                reply = self.call_kw_reply(
                    "sale.advance.payment.inv",
                    "create_invoices",
                    [[wizard_id]],
                    {"context": context},
                )
                self.assertRefused(reply, self.order.name)
        reply = self.call_kw_reply(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_line_ids": [
                        Command.create({"product_id": self.product.id, "quantity": 1})
                    ],
                }
            ],
        )
        self.assertRefused(reply, "a new invoice")
        reply = self.call_kw_reply("account.move", "action_post", [self.draft.ids])
        self.assertRefused(reply, self.draft.display_name)
        reply = self.call_kw_reply(
            "account.move", "write", [self.draft.ids, {"ref": "x"}]
        )
        self.assertRefused(reply, self.draft.display_name)
        # Odoo itself keeps the private method out of reach of RPC
        reply = self.call_kw_reply("sale.order", "_create_invoices", [self.order.ids])
        self.assertIn("Private methods", reply["error"]["data"]["message"])

        self.env.invalidate_all()
        self.assertFalse(self.order.invoice_ids)
        self.assertFalse(self.order.order_line.filtered("is_downpayment"))
        self.assertEqual(self.draft.state, "draft")
        self.assertFalse(self.draft.ref)
