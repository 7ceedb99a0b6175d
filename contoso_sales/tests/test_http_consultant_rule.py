from odoo.fields import Command
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .http_common import ContosoHttpCase, rpc_user


@tagged("post_install", "-at_install", "contoso_http")
class TestConsultantRuleOverRpc(ContosoHttpCase):
    """A consultant over JSON-RPC reads the deals he checked or has to check,
    their quotations and checks, through every read the web client makes,
    and nothing else: the rules' subquery (tech_check_consultant_ids)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "base.group_user,contoso_sales.group_{}"
        cls.sally = rpc_user(cls.env, "rpc_cr_sally", groups.format("salesperson"))
        # Tom may export, to try it on deals he does not read
        cls.tom = rpc_user(
            cls.env,
            "rpc_cr_tom",
            groups.format("technical_consultant") + ",base.group_allow_export",
        )
        cls.env.company.contoso_tech_check_threshold = 20000
        cls.env.company.contoso_nurture_auto_enrol = True
        customer = cls.env["res.partner"].create(
            {"name": "RPC Fabrikam", "is_company": True}
        )
        team = cls.env.ref("contoso_sales.team_contoso")
        product = cls.env["product.product"].create(
            {"name": "RPC Sensor", "list_price": 100, "taxes_id": [Command.clear()]}
        )
        cls.checked, cls.unchecked, cls.to_check = cls.env["crm.lead"].create(
            [
                {
                    "name": f"RPC {name}",
                    "type": "opportunity",
                    "partner_id": customer.id,
                    "team_id": team.id,
                    "user_id": cls.sally.id,
                    "expected_revenue": amount,
                }
                for name, amount in (
                    ("checked by Tom", 5000),
                    ("not checked", 5000),
                    ("to check", 48000),
                )
            ]
        )
        cls.env["contoso.tech.check"].create(
            {
                "lead_id": cls.checked.id,
                "consultant_id": cls.tom.id,
                "details": "<p>Survey</p>",
                "result": "fail",
            }
        )
        cls.orders = cls.env["sale.order"].create(
            [
                {
                    "partner_id": customer.id,
                    "opportunity_id": lead.id,
                    "user_id": cls.sally.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
                for lead in (cls.checked, cls.unchecked, cls.to_check)
            ]
        )
        cls.deals = cls.checked | cls.unchecked | cls.to_check

    def test_reads_over_rpc(self):
        self.login(self.tom)
        visible = (self.checked | self.to_check).ids
        mine = [("id", "in", self.deals.ids)]
        found = self.call_kw("crm.lead", "search_read", [mine, ["name"]])
        self.assertEqual(sorted(r["id"] for r in found), sorted(visible))
        page = self.call_kw(
            "crm.lead",
            "web_search_read",
            [],
            {"domain": mine, "specification": {"contoso_nurture_progress": {}}},
        )
        self.assertEqual(sorted(r["id"] for r in page["records"]), sorted(visible))
        # the deals' enrolments are not his: no nurturing status
        self.assertTrue(self.checked.contoso_nurture_enrolment_ids)
        self.assertEqual(
            {bool(r["contoso_nurture_progress"]) for r in page["records"]}, {False}
        )
        groups = self.call_kw(
            "crm.lead",
            "web_read_group",
            [],
            {"domain": mine, "groupby": ["stage_id"], "aggregates": ["__count"]},
        )
        self.assertEqual(sum(g["__count"] for g in groups["groups"]), 2)
        names = self.call_kw("crm.lead", "name_search", ["RPC"], {"limit": 50})
        self.assertEqual(
            {tuple(n) for n in names if n[0] in self.deals.ids},
            {(d.id, d.name) for d in self.checked | self.to_check},
        )
        unchecked = self.call_kw(
            "crm.lead",
            "search",
            [[*mine, ("tech_check_consultant_ids", "=", False)]],
        )
        self.assertEqual(unchecked, self.to_check.ids)
        orders = self.call_kw("sale.order", "search", [[("id", "in", self.orders.ids)]])
        self.assertEqual(sorted(orders), sorted((self.orders - self.orders[1]).ids))
        lines = self.call_kw(
            "sale.order.line",
            "search_read",
            [[("order_id", "in", self.orders.ids)], ["order_id"]],
        )
        self.assertEqual(sorted(r["order_id"][0] for r in lines), sorted(orders))
        for method, args in (
            ("read", [[self.unchecked.id], ["name"]]),
            ("export_data", [[self.unchecked.id], ["name"]]),
            ("web_read", [[self.unchecked.id]]),
            ("write", [[self.checked.id], {"name": "x"}]),
            ("unlink", [[self.checked.id]]),
        ):
            with self.subTest(method=method):
                kwargs = {"specification": {"name": {}}} if method == "web_read" else {}
                with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                    self.call_kw("crm.lead", method, args, kwargs)
        self.assertEqual(self.checked.name, "RPC checked by Tom")

    def test_portal_user_reads_no_deal(self):
        portal = rpc_user(self.env, "rpc_cr_paula", "base.group_portal")
        self.login(portal)
        for method, args in (
            ("search_read", [[], ["tech_check_consultant_ids"]]),
            ("read", [self.checked.ids, ["tech_check_consultant_ids"]]),
        ):
            with (
                self.subTest(method=method),
                self.assertRaisesRegex(JsonRpcException, "AccessError"),
            ):
                self.call_kw("crm.lead", method, args)
