from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .http_common import GatedTeamHttpCase, rpc_user


@tagged("post_install", "-at_install", "contoso_http")
class TestAttackEdgesOverRpc(GatedTeamHttpCase):
    """The red team's attacks over JSON-RPC, each as the role that tries it;
    the data is checked afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lenient = cls.env["res.company"].create(
            {"name": "RPC Lenient", "contoso_tech_check_threshold": 100000}
        )

        def user(login, groups):
            return rpc_user(cls.env, login, f"base.group_user,{groups}")

        cls.sally = user("rpc_atk_sally", "contoso_sales.group_salesperson")
        cls.sally.company_ids = [(4, cls.lenient.id)]
        cls.sam = user("rpc_atk_sam", "contoso_sales.group_salesperson")
        cls.tom = user("rpc_atk_tom", "contoso_sales.group_technical_consultant")
        cls.emma = user("rpc_atk_emma", "base.group_user")
        cls.abby = user("rpc_atk_abby", "account.group_account_invoice")
        cls.odoo_admin = user("rpc_atk_odoo_admin", "sales_team.group_sale_manager")
        cls.team.member_ids = [(4, cls.sally.id), (4, cls.sam.id)]
        cls.customer = cls.env["res.partner"].create(
            {"name": "RPC Attack Fabrikam", "is_company": True}
        )

        def deal(name, owner):
            return cls.env["crm.lead"].create(
                {
                    "name": name,
                    "type": "opportunity",
                    "partner_id": cls.customer.id,
                    "team_id": cls.team.id,
                    "user_id": owner.id,
                    "stage_id": cls.quote.id,
                    "expected_revenue": 48000,
                }
            )

        cls.deal = deal("RPC Attack HQ alarm", cls.sally)
        cls.hidden = deal("RPC Attack Sam's warehouse", cls.sam)
        cls.hidden_check = (
            cls.env["contoso.tech.check"]
            .with_user(cls.tom)
            .create(
                {
                    "lead_id": cls.hidden.id,
                    "details": "<p>Secret wiring plan</p>",
                    "result": "fail",
                }
            )
        )

    def test_salesperson_cannot_move_company_with_a_new_amount(self):
        self.login(self.sally)
        with self.assertRaisesRegex(JsonRpcException, "whose threshold is higher"):
            self.call_kw(
                "crm.lead",
                "write",
                [
                    [self.deal.id],
                    {"company_id": self.lenient.id, "expected_revenue": 48001},
                ],
                {
                    "context": {
                        "allowed_company_ids": [self.company.id, self.lenient.id]
                    }
                },
            )
        self.deal.invalidate_recordset()
        self.assertEqual(
            (self.deal.company_id, self.deal.expected_revenue), (self.company, 48000)
        )

    def test_salesperson_reads_no_check_of_a_hidden_deal(self):
        self.login(self.sally)
        domain = [("lead_id", "=", self.hidden.id)]
        for method, args, kwargs in (
            ("search_read", [domain], {"fields": ["details", "result"]}),
            ("search_count", [domain], {}),
            ("name_search", [], {"name": "Sam"}),
            ("read_group", [domain, ["amount_checked:sum"], ["result"]], {}),
            ("web_read_group", [domain, ["result"], ["__count"]], {}),
        ):
            result = self.call_kw("contoso.tech.check", method, args, kwargs)
            self.assertFalse(
                result if method != "web_read_group" else result["groups"], method
            )
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw(
                "contoso.tech.check",
                "read",
                [self.hidden_check.ids, ["details"]],
            )
        # the check's own chatter (its tracked result and consultant) neither
        messages = self.call_kw(
            "mail.message",
            "search_read",
            [
                [
                    ("model", "=", "contoso.tech.check"),
                    ("res_id", "=", self.hidden_check.id),
                ]
            ],
            {"fields": ["body"]},
        )
        self.assertEqual(messages, [])

    def test_no_spend_without_sales_rights(self):
        for user in (self.emma, self.abby):
            self.login(user)
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self.call_kw(
                    "res.partner",
                    "search_read",
                    [[("id", "=", self.customer.id)]],
                    {"fields": ["contoso_spend_total"]},
                )
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self.call_kw(
                    "contoso.customer",
                    "search_read",
                    [[]],
                    {"fields": ["spend_total"]},
                )
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self.call_kw(
                    "contoso.tech.check",
                    "search_read",
                    [[]],
                    {"fields": ["details"]},
                )

    def test_odoo_sales_admin_cannot_put_checks_in_the_team_alias(self):
        self.login(self.odoo_admin)
        defaults = {
            "stage_id": self.env.ref("contoso_sales.stage_close").id,
            "expected_revenue": 50000,
            "tech_check_ids": [
                (0, 0, {"consultant_id": self.tom.id, "details": "x", "result": "pass"})
            ],
        }
        before = self.team.alias_defaults
        with self.assertRaisesRegex(JsonRpcException, "cannot set tech_check_ids"):
            self.call_kw(
                "crm.team",
                "write",
                [self.team.ids, {"alias_defaults": str(defaults)}],
            )
        self.team.invalidate_recordset()
        self.assertEqual(self.team.alias_defaults, before)

    def test_salesperson_cannot_link_a_confirmed_order_to_an_unchecked_deal(self):
        product = self.env["product.product"].create(
            {"name": "RPC Attack Kit", "list_price": 4800.0, "sale_ok": True}
        )
        order = (
            self.env["sale.order"]
            .with_user(self.sally)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        (0, 0, {"product_id": product.id, "product_uom_qty": 10})
                    ],
                }
            )
        )
        self.login(self.sally)
        self.call_kw("sale.order", "action_confirm", [order.ids])
        with self.assertRaisesRegex(
            JsonRpcException, "needs a passed tech check before its"
        ):
            self.call_kw(
                "sale.order",
                "write",
                [order.ids, {"opportunity_id": self.deal.id}],
            )
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.opportunity_id)
