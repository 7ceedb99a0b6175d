from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestInvoiceBlockEdges(ContosoCase):
    """Only accountants make customer invoices, credit notes and receipts,
    whatever path the move takes to become one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # An employee who may record vendor bills (as a purchase user would):
        # rights on account.move, but not Accounting: Invoicing.
        bills = cls.env["res.groups"].create({"name": "Test Vendor Bills"})
        cls.env["ir.model.access"].create(
            [
                {
                    "name": f"test bills {model}",
                    "model_id": cls.env["ir.model"]._get_id(model),
                    "group_id": bills.id,
                    "perm_read": True,
                    "perm_write": True,
                    "perm_create": True,
                    "perm_unlink": True,
                }
                for model in ("account.move", "account.move.line")
            ]
        )
        cls.buyer = new_test_user(
            cls.env,
            login="t_vic",
            name="Test Vic",
            groups="base.group_user,account.group_account_readonly",
        )
        cls.buyer.group_ids = [Command.link(bills.id)]
        cls.product = cls.env["product.product"].create(
            {"name": "Contoso Siren", "list_price": 100.0, "invoice_policy": "order"}
        )

    def _move(self, move_type, user=None):
        return (
            self.env["account.move"]
            .with_user(user or self.buyer)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": self.customer.id,
                    "invoice_line_ids": [
                        Command.create({"product_id": self.product.id, "quantity": 1})
                    ],
                }
            )
        )

    def test_vendor_bill_cannot_become_a_customer_invoice(self):
        bill = self._move("in_invoice")
        for move_type in ("out_invoice", "out_refund", "out_receipt"):
            with (
                self.subTest(move_type=move_type),
                self.assertRaises(AccessError) as caught,
            ):
                bill.write({"move_type": move_type})
            self.assertIn("Test Vic cannot create, post or edit", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(bill.move_type, "in_invoice")

    def test_receipts_are_customer_documents(self):
        with self.assertRaises(AccessError) as caught:
            self._move("out_receipt")
        self.assertIn("Test Vic cannot create, post or edit", str(caught.exception))
        receipt = self._move("out_receipt", user=self.env.user)
        for attempt in (
            lambda: receipt.with_user(self.buyer).write({"ref": "x"}),
            lambda: receipt.with_user(self.buyer).action_post(),
        ):
            with self.assertRaises(AccessError):
                attempt()
        self.assertEqual(receipt.state, "draft")

    def test_customer_invoice_lines_are_the_invoice(self):
        """Odoo writes the invoice when its lines change, so the invoice's own
        check covers them: this pins it."""
        invoice = self._move("out_invoice", user=self.env.user)
        line = invoice.invoice_line_ids
        attempts = {
            "write": lambda: line.with_user(self.buyer).write({"price_unit": 1.0}),
            "create": lambda: (
                self.env["account.move.line"]
                .with_user(self.buyer)
                .create(
                    {
                        "move_id": invoice.id,
                        "product_id": self.product.id,
                        "quantity": 5,
                    }
                )
            ),
            "unlink": lambda: line.with_user(self.buyer).unlink(),
        }
        for name, attempt in attempts.items():
            with self.subTest(path=name), self.assertRaises(AccessError) as caught:
                attempt()
            self.assertIn("Test Vic cannot create, post or edit", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(invoice.invoice_line_ids, line)
        self.assertEqual(line.price_unit, 100.0)
        # their vendor bills' lines stay theirs
        bill = self._move("in_invoice")
        bill.invoice_line_ids.write({"price_unit": 80.0})
        self.assertEqual(bill.amount_untaxed, 80.0)

    def test_mail_alias_makes_drafts_only(self):
        """The sales journal's alias: Odoo's mail gateway creates the draft as
        superuser for whoever sent the email. Allowed: it is a document to
        review; the sender cannot edit or post it unless an accountant."""
        journal = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.company.id)], limit=1
        )
        custom_values = {
            "move_type": "out_invoice",
            "journal_id": journal.id,
            "company_id": self.company.id,
        }
        message = {
            "from": self.salesperson.email_formatted,
            "subject": "Invoice Fabrikam",
            "body": "<p>Please invoice</p>",
        }
        Move = self.env["account.move"].with_user(self.salesperson)
        # as the gateway does it: the sender's user, in sudo
        draft = Move.sudo().message_new(dict(message), dict(custom_values))
        self.assertEqual((draft.move_type, draft.state), ("out_invoice", "draft"))
        for attempt in (
            lambda: draft.with_user(self.salesperson).write({"ref": "x"}),
            lambda: draft.with_user(self.salesperson).action_post(),
        ):
            with self.assertRaises(AccessError):
                attempt()
        self.assertEqual(draft.state, "draft")
        # the same call without the gateway's sudo is refused
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.buyer).message_new(
                dict(message), dict(custom_values)
            )

    def test_invoice_after_online_payment_is_made_by_odoo(self):
        """Paying online, Odoo invoices the order as superuser: allowed; the
        same call as the salesperson is refused."""
        order = (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [Command.create({"product_id": self.product.id})],
                }
            )
        )
        order.action_confirm()
        with self.assertRaises(AccessError):
            order.with_user(self.salesperson)._create_invoices()
        invoice = order.with_user(self.salesperson).sudo()._create_invoices(final=True)
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(order.invoice_ids, invoice)
