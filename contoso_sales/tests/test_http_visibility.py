from odoo.tests import new_test_user, tagged

from .http_common import ContosoHttpCase, rpc_salesperson, rpc_user


@tagged("post_install", "-at_install", "contoso_http")
class TestVisibilityOverRpc(ContosoHttpCase):
    """What a client that never opens a form reads: tech checks of other
    salespeople's deals, other companies' spend, spend without sales rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sally = rpc_salesperson(cls.env)
        cls.otto = new_test_user(
            cls.env,
            login="rpc_otto",
            name="RPC Otto",
            groups="base.group_user,contoso_sales.group_salesperson",
        )
        cls.eve = rpc_user(cls.env, "rpc_eve", "base.group_user", name="RPC Eve")
        carl = new_test_user(
            cls.env,
            login="rpc_carl",
            name="RPC Carl",
            groups="base.group_user,contoso_sales.group_technical_consultant",
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "RPC Zoe", "contoso_contact_ref": "RPC1"}
        )
        team = cls.env["crm.team"].create({"name": "RPC Resellers"})
        cls.mine, cls.theirs = cls.env["crm.lead"].create(
            [
                {
                    "name": name,
                    "type": "opportunity",
                    "user_id": user.id,
                    "team_id": team.id,
                    "partner_id": cls.customer.id,
                }
                for name, user in (("Sally's", cls.sally), ("Otto's", cls.otto))
            ]
        )
        cls.checks = cls.env["contoso.tech.check"].create(
            [
                {
                    "lead_id": lead.id,
                    "consultant_id": carl.id,
                    "details": f"<p>Survey of {lead.name}</p>",
                    "result": "fail",
                }
                for lead in (cls.mine, cls.theirs)
            ]
        )

    def assertAccessError(self, reply):
        self.assertIn("error", reply, f"the call succeeded: {reply.get('result')}")
        self.assertEqual(reply["error"]["data"]["name"], "odoo.exceptions.AccessError")

    def test_salesperson_reads_only_the_checks_of_her_deals(self):
        self.login(self.sally)
        reply = self.call_kw_reply(
            "contoso.tech.check", "search_read", [[], ["details"]]
        )
        self.assertEqual(
            [row["details"] for row in reply["result"]], ["<p>Survey of Sally's</p>"]
        )
        reply = self.call_kw_reply(
            "contoso.tech.check",
            "web_read_group",
            [],
            {"domain": [], "groupby": ["lead_id"], "aggregates": ["__count"]},
        )
        self.assertEqual(
            [group["lead_id"][0] for group in reply["result"]["groups"]],
            self.mine.ids,
        )
        theirs = self.checks[1]
        self.assertAccessError(
            self.call_kw_reply("contoso.tech.check", "read", [theirs.ids, ["details"]])
        )

    def test_employee_without_sales_rights_reads_no_spend(self):
        self.login(self.eve)
        reply = self.call_kw_reply("res.partner", "read", [self.customer.ids, ["name"]])
        self.assertEqual(reply["result"][0]["name"], "RPC Zoe")
        self.assertAccessError(
            self.call_kw_reply(
                "res.partner", "read", [self.customer.ids, ["contoso_spend_total"]]
            )
        )
        self.assertAccessError(
            self.call_kw_reply("contoso.customer", "search_read", [[], ["spend_total"]])
        )
        self.assertAccessError(
            self.call_kw_reply("contoso.tech.check", "search_read", [[], ["details"]])
        )

    def test_team_sharing_follows_membership_between_requests(self):
        """The sharing rules are cached per user between requests: a manager
        taking Sally off a sharing team must close Otto's deal to her at her
        next call, and she cannot put herself back."""
        manager = rpc_user(
            self.env,
            "rpc_mona",
            "base.group_user,contoso_sales.group_sales_manager",
            name="RPC Mona",
        )
        west = self.env["crm.team"].create(
            {
                "name": "RPC West",
                "contoso_share_deals": True,
                "member_ids": [(4, self.sally.id), (4, self.otto.id)],
            }
        )
        deal = self.env["crm.lead"].create(
            {
                "name": "Otto's West deal",
                "type": "opportunity",
                "user_id": self.otto.id,
                "team_id": west.id,
            }
        )
        self.login(self.sally)
        self.assertEqual(
            self.call_kw("crm.lead", "read", [deal.ids, ["name"]])[0]["name"],
            "Otto's West deal",
        )
        self.login(manager)
        self.call_kw(
            "crm.team", "write", [west.ids, {"member_ids": [(3, self.sally.id)]}]
        )
        self.login(self.sally)
        self.assertAccessError(
            self.call_kw_reply("crm.lead", "read", [deal.ids, ["name"]])
        )
        self.assertEqual(
            self.call_kw("crm.lead", "search", [[("id", "=", deal.id)]]), []
        )
        self.assertAccessError(
            self.call_kw_reply(
                "crm.team", "write", [west.ids, {"member_ids": [(4, self.sally.id)]}]
            )
        )
        self.assertAccessError(
            self.call_kw_reply(
                "crm.team.member",
                "create",
                [{"crm_team_id": west.id, "user_id": self.sally.id}],
            )
        )
        # The manager shares the team with her again, then stops sharing it.
        self.login(manager)
        self.call_kw(
            "crm.team", "write", [west.ids, {"member_ids": [(4, self.sally.id)]}]
        )
        self.login(self.sally)
        self.assertEqual(
            self.call_kw("crm.lead", "search", [[("id", "=", deal.id)]]), deal.ids
        )
        self.login(manager)
        self.call_kw("crm.team", "write", [west.ids, {"contoso_share_deals": False}])
        self.login(self.sally)
        self.assertEqual(
            self.call_kw("crm.lead", "search", [[("id", "=", deal.id)]]), []
        )
