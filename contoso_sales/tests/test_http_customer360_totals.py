import base64

from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .datahub_common import CONTACTS, ONLINE
from .http_common import ContosoHttpCase, rpc_user
from .test_customer360_totals import live_customers

FIELDS = [
    "partner_id",
    "spend_crm",
    "spend_shop",
    "spend_web",
    "spend_total",
    "purchase_count",
    "first_purchase",
    "last_purchase",
]


@tagged("post_install", "-at_install", "contoso_http")
class TestCustomer360TotalsOverRpc(ContosoHttpCase):
    """What clients that never open a form can do to the stored totals: the data
    administrator imports, re-imports, edits and deletes purchases, the manager
    merges customers and confirms and cancels orders, the accountant posts and
    resets invoices; Customer 360 equals the live definition after each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dana = rpc_user(
            cls.env, "rpc_dana", "base.group_user,contoso_sales.group_data_admin"
        )
        cls.maria = rpc_user(
            cls.env,
            "rpc_maria",
            # confirming an order reads its stock moves and their purchases
            "base.group_user,contoso_sales.group_sales_manager,"
            "base.group_partner_manager,stock.group_stock_user,"
            "purchase.group_purchase_user",
        )
        cls.sally = rpc_user(
            cls.env, "rpc_sally", "base.group_user,contoso_sales.group_salesperson"
        )
        cls.alice = rpc_user(
            cls.env,
            "rpc_alice",
            "base.group_user,account.group_account_invoice,"
            "contoso_sales.group_salesperson",
        )
        cls.product = cls.env["product.product"].create({"name": "Hub"})

    def _import(self, source, text):
        self.login(self.dana)
        wizard = self.call_kw(
            "contoso.import.wizard",
            "create",
            [
                {
                    "source": source,
                    "file": base64.b64encode(text.encode()).decode(),
                    "filename": f"{source}.csv",
                }
            ],
        )
        self.call_kw("contoso.import.wizard", "action_import", [[wizard]])

    def _assert_live(self, step):
        self.login(self.maria)
        rows = self.call_kw(
            "contoso.customer",
            "search_read",
            [[("purchase_count", ">", 0)], FIELDS],
        )
        shown = {
            row["partner_id"][0]: (
                round(row["spend_crm"], 6),
                round(row["spend_shop"], 6),
                round(row["spend_web"], 6),
                round(row["spend_total"], 6),
                row["purchase_count"],
                row["first_purchase"] or False,
                row["last_purchase"] or False,
            )
            for row in rows
        }
        live = {
            partner: (*amounts, count, str(first), str(last))
            for partner, (*amounts, count, first, last) in live_customers(
                self.env, self.env.company.ids
            ).items()
        }
        self.assertEqual(shown, live, step)
        self.assertTrue(live, step)

    def test_totals_hold_over_rpc(self):
        rows = [
            "W1,C1,2021-03-04,100.00,Purchase,Doorbell\r\n",
            "W2,C1,2022-06-01,50.50,Purchase,Sensor\r\n",
            "W3,C2,2022-07-01,70.00,Purchase,Camera\r\n",
            "W4,C2,2023-02-01,20.00,Purchase,Siren\r\n",
        ]
        self._import(
            "contacts",
            CONTACTS
            + "C1,Zoé,Dupont,,zoe@example.com,1980-05-06,,,,,,\r\n"
            + "C2,John,Smith,,john@example.com,1975-05-06,,,,,,\r\n",
        )
        self._import("online", ONLINE + "".join(rows))
        self._assert_live("imported")
        Partner = self.env["res.partner"]
        zoe = Partner.search([("contoso_contact_ref", "=", "C1")])
        john = Partner.search([("contoso_contact_ref", "=", "C2")])
        purchases = self.env["contoso.purchase"].search([], order="source_ref")

        # Data administrator: edits and deletes purchases, writes the amount.
        self.login(self.dana)
        self.call_kw(
            "contoso.purchase", "write", [purchases[0].ids, {"partner_id": john.id}]
        )
        self.call_kw(
            "contoso.purchase",
            "write",
            [purchases[1].ids, {"amount_total": 75, "date": "2020-01-01"}],
        )
        self.call_kw(
            "contoso.purchase", "write", [purchases[2].ids, {"amount_company": 1}]
        )
        self.call_kw("contoso.purchase", "unlink", [purchases[3].ids])
        self._assert_live("purchases edited and deleted")

        # A salesperson cannot write purchases at all.
        self.login(self.sally)
        with self.assertRaises(JsonRpcException):
            self.call_kw(
                "contoso.purchase", "write", [purchases[2].ids, {"amount_total": 1}]
            )

        # Re-import, rows shuffled, one amount changed.
        shuffled = [rows[2], rows[0].replace("100.00", "110.00"), rows[3], rows[1]]
        self._import("online", ONLINE + "".join(shuffled))
        self._assert_live("re-imported")

        # Manager: an order confirmed then cancelled, a merge.
        self.login(self.maria)
        order = self.call_kw(
            "sale.order",
            "create",
            [
                {
                    "partner_id": zoe.id,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": self.product.id,
                                "price_unit": 300,
                                "tax_ids": [(6, 0, [])],
                            },
                        )
                    ],
                }
            ],
        )
        self.call_kw("sale.order", "action_confirm", [[order]])
        self._assert_live("order confirmed")
        self.login(self.maria)
        self.call_kw("sale.order", "action_cancel", [[order]])
        self._assert_live("order cancelled")
        # Only the administrator merges contacts of different e-mails.
        john.email = zoe.email
        self.login(self.maria)
        wizard = self.call_kw(
            "base.partner.merge.automatic.wizard",
            "create",
            [{"dst_partner_id": zoe.id}],
            {
                "context": {
                    "active_model": "res.partner",
                    "active_ids": (zoe | john).ids,
                }
            },
        )
        self.call_kw("base.partner.merge.automatic.wizard", "action_merge", [[wizard]])
        self.assertFalse(john.exists())
        self._assert_live("merged")

        # Accountant: an invoice posted, then reset to draft.
        self.login(self.alice)
        invoice = self.call_kw(
            "account.move",
            "create",
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": zoe.id,
                    "invoice_date": "2024-04-01",
                    "invoice_line_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": self.product.id,
                                "price_unit": 80,
                                "tax_ids": [(6, 0, [])],
                            },
                        )
                    ],
                }
            ],
        )
        self.call_kw("account.move", "action_post", [[invoice]])
        self._assert_live("invoice posted")
        self.login(self.alice)
        self.call_kw("account.move", "button_draft", [[invoice]])
        self._assert_live("invoice reset")
