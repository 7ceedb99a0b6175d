from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .http_common import GatedTeamHttpCase, rpc_user


@tagged("post_install", "-at_install", "contoso_http")
class TestGateInvariantsOverRpc(GatedTeamHttpCase):
    """The gate's invariants as the demo roles meet them over JSON-RPC: each
    call is the attack of one role, and the data is checked afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, groups):
            return rpc_user(cls.env, login, f"base.group_user,{groups}")

        cls.sally = user("rpc_inv_sally", "contoso_sales.group_salesperson")
        cls.maria = user("rpc_inv_maria", "contoso_sales.group_sales_manager")
        cls.odoo_admin = user("rpc_inv_odoo_admin", "sales_team.group_sale_manager")
        cls.wendy = user("rpc_inv_wendy", "contoso_sales.group_salesperson")
        cls.team.member_ids = [(4, cls.sally.id)]
        cls.web_shop = cls.env["crm.team"].create(
            {"name": "RPC Web Shop", "member_ids": [(4, cls.wendy.id)]}
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "RPC Fabrikam", "is_company": True}
        )
        cls.deal = cls.env["crm.lead"].create(
            {
                "name": "RPC HQ alarm",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "team_id": cls.team.id,
                "user_id": cls.sally.id,
                "stage_id": cls.quote.id,
                "expected_revenue": 48000,
            }
        )

    def test_salesperson_cannot_hand_a_deal_to_another_team_into_close(self):
        self.login(self.sally)
        with self.assertRaisesRegex(
            JsonRpcException, "UserError: .*cannot move to RPC Web Shop"
        ):
            self.call_kw(
                "crm.lead",
                "write",
                [[self.deal.id], {"user_id": self.wendy.id, "stage_id": self.close.id}],
            )
        self.deal.invalidate_recordset()
        self.assertEqual(
            (self.deal.stage_id, self.deal.team_id, self.deal.user_id),
            (self.quote, self.team, self.sally),
        )

    def test_salesperson_cannot_confirm_the_order_of_an_unchecked_deal(self):
        product = self.env["product.product"].create(
            {"name": "RPC Alarm Kit", "list_price": 4800.0, "sale_ok": True}
        )
        order = (
            self.env["sale.order"]
            .with_user(self.sally)
            .create(
                {
                    "partner_id": self.customer.id,
                    "opportunity_id": self.deal.id,
                    "order_line": [
                        (0, 0, {"product_id": product.id, "product_uom_qty": 10})
                    ],
                }
            )
        )
        self.login(self.sally)
        for method, args in (
            ("action_confirm", [[order.id]]),
            ("write", [[order.id], {"state": "sale"}]),
        ):
            with self.assertRaisesRegex(
                JsonRpcException,
                "ValidationError: Deal 'RPC HQ alarm' .* needs a passed tech check "
                "before its order S",
            ):
                self.call_kw("sale.order", method, args)
            order.invalidate_recordset()
            self.assertEqual(order.state, "draft")
        self.login(self.maria)
        self.call_kw("sale.order", "action_confirm", [[order.id]])
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")

    def test_deal_settings_ignore_a_forged_company(self):
        other = self.env["res.company"].create({"name": "RPC Contoso West"})
        self.maria.company_ids = [(4, other.id)]
        self.login(self.maria)
        config_id = self.call_kw(
            "contoso.sales.config",
            "create",
            [{"company_id": other.id, "tech_check_threshold": 999999999}],
            {"context": {"allowed_company_ids": [self.company.id]}},
        )
        self.call_kw(
            "contoso.sales.config",
            "action_save",
            [[config_id]],
            {"context": {"allowed_company_ids": [self.company.id]}},
        )
        self.env.invalidate_all()
        self.assertEqual(other.contoso_tech_check_threshold, 20000)
        self.assertEqual(self.company.contoso_tech_check_threshold, 999999999)

    def test_odoo_sales_administrator_cannot_ungate(self):
        self.login(self.odoo_admin)
        for model, record, vals in (
            ("crm.stage", self.close, {"is_won": False}),
            ("crm.stage", self.quote, {"contoso_requires_tech_check": True}),
            ("crm.team", self.team, {"contoso_tech_check": False}),
        ):
            with self.assertRaisesRegex(
                JsonRpcException, "AccessError: .*Contoso sales manager"
            ):
                self.call_kw(model, "write", [[record.id], vals])
        self.env.invalidate_all()
        self.assertTrue(self.close.is_won)
        self.assertFalse(self.quote.contoso_requires_tech_check)
        self.assertTrue(self.team.contoso_tech_check)
