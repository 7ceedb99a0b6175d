from odoo.fields import Command
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .http_common import GatedTeamHttpCase, rpc_user


@tagged("post_install", "-at_install", "contoso_http")
class TestThresholdFetchOverRpc(GatedTeamHttpCase):
    """The gate's thresholds read in one narrow query (b6add01), over JSON-RPC:
    each request is a transaction of its own, its cache empty, the companies
    those the client sends (allowed_company_ids) or, without them, all of the
    user's. Company A: 20,000; B: 30,000; a deal of B worth 40,000."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.company
        cls.company_b = cls.env["res.company"].create(
            {"name": "RPC Contoso West", "contoso_tech_check_threshold": 30000}
        )
        both = [Command.set((cls.company_a | cls.company_b).ids)]
        cls.sally = rpc_user(
            cls.env,
            "rpc_tf_sally",
            "base.group_user,contoso_sales.group_salesperson",
            company_ids=both,
        )
        cls.maria = rpc_user(
            cls.env,
            "rpc_tf_maria",
            "base.group_user,contoso_sales.group_sales_manager",
            company_ids=both,
        )
        cls.bea = rpc_user(
            cls.env,
            "rpc_tf_bea",
            "base.group_user,contoso_sales.group_salesperson",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.team.member_ids = [Command.link(u.id) for u in (cls.sally, cls.bea)]
        cls.customer = cls.env["res.partner"].create(
            {"name": "RPC Fabrikam West", "is_company": True}
        )
        cls.deal_b = cls.env["crm.lead"].create(
            {
                "name": "RPC West warehouse alarm",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "team_id": cls.team.id,
                "user_id": cls.sally.id,
                "company_id": cls.company_b.id,
                "stage_id": cls.quote.id,
                "expected_revenue": 40000,
            }
        )

    def _context(self, companies):
        if companies is None:
            return {}
        return {"context": {"allowed_company_ids": companies}}

    def test_stage_move_of_a_deal_of_b_in_each_company_context(self):
        A, B = self.company_a.id, self.company_b.id
        for user, companies, expected in (
            (self.sally, [A], "AccessError"),
            (self.sally, [A, B], "gate"),
            (self.sally, [B, A], "gate"),
            (self.sally, [B], "gate"),
            (self.sally, None, "gate"),
            (self.bea, [B], "gate"),
            (self.bea, None, "gate"),
            (self.bea, [A], "AccessError"),
            (self.maria, [A], "AccessError"),
            (self.maria, [B, A], "gate"),
        ):
            label = (user.login, companies)
            self.deal_b.user_id = user if user != self.maria else self.sally
            self.env.flush_all()
            self.login(user)
            if expected == "gate":
                read = self.call_kw(
                    "crm.lead",
                    "web_read",
                    [[self.deal_b.id]],
                    {
                        "specification": {
                            "tech_check_required": {},
                            "tech_check_badge": {},
                        },
                        **self._context(companies),
                    },
                )
                self.assertEqual(
                    (read[0]["tech_check_required"], read[0]["tech_check_badge"]),
                    (True, "needed"),
                    label,
                )
            for method, args in (
                ("write", [[self.deal_b.id], {"stage_id": self.close.id}]),
                ("action_set_won", [[self.deal_b.id]]),
            ):
                pattern = (
                    "(ValidationError|UserError): .*needs a passed tech check "
                    "before Close"
                    if expected == "gate"
                    else "AccessError: "
                )
                with self.assertRaisesRegex(JsonRpcException, pattern, msg=label):
                    self.call_kw("crm.lead", method, args, self._context(companies))
                self.deal_b.invalidate_recordset()
                self.assertEqual(self.deal_b.stage_id, self.quote, label)

    def test_manager_moves_a_checked_won_deal_to_another_company(self):
        """As in the red team in process (test_manager_moves_a_checked_closed
        _deal_to_another_company), in a real request's cache: a manager whose
        client sends company A only moves a checked deal to B; Odoo moves an
        open one, the gate must not turn a won one into an AccessError on
        res.company."""
        consultant = rpc_user(
            self.env,
            "rpc_tf_tom",
            "base.group_user,contoso_sales.group_technical_consultant",
        )
        deals = self.env["crm.lead"]
        for name in ("RPC open, checked", "RPC won, checked"):
            deal = self.deal_b.copy({"name": name, "company_id": self.company_a.id})
            self.env["contoso.tech.check"].with_user(consultant).create(
                {"lead_id": deal.id, "details": "<p>OK</p>", "result": "pass"}
            )
            deals |= deal
        deals[1].stage_id = self.close
        self.assertEqual(deals[1].won_status, "won")
        self.env.flush_all()
        self.login(self.maria)
        for deal in deals:
            self.call_kw(
                "crm.lead",
                "write",
                [[deal.id], {"company_id": self.company_b.id}],
                self._context([self.company_a.id]),
            )
            deal.invalidate_recordset()
            self.assertEqual(deal.company_id, self.company_b, deal.name)
