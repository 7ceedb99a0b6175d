"""The red team of the kanban card's fields over JSON-RPC (Odoo's runner runs
it with the tours: contoso_http; pytest-odoo would skip it), against the
definitions of test_kanban_fields_redteam."""

from freezegun import freeze_time
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .http_common import GatedTeamHttpCase, rpc_user
from .test_kanban_fields_redteam import (
    NURTURE_FIELDS,
    badge_definition,
    nurture_of_the_old_code,
    nurture_through_orm,
)


@tagged("post_install", "-at_install", "contoso_http")
class TestKanbanFieldsHttpRedteam(GatedTeamHttpCase):
    """The pipeline kanban over JSON-RPC as the web client reads it (grouped
    by stage, the columns unfolded with the card's fields), for each role;
    the portal user reads no deal at all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.contoso_nurture_auto_enrol = False
        cls.sally = rpc_user(
            cls.env, "rpc_k_sally", "base.group_user,contoso_sales.group_salesperson"
        )
        cls.tom = rpc_user(
            cls.env,
            "rpc_k_tom",
            "base.group_user,contoso_sales.group_technical_consultant",
        )
        cls.maria = rpc_user(
            cls.env, "rpc_k_maria", "base.group_user,contoso_sales.group_sales_manager"
        )
        cls.portal = rpc_user(cls.env, "rpc_k_portal", "base.group_portal")
        cls.team.member_ids = [
            Command.link(u.id) for u in (cls.sally, cls.tom, cls.maria)
        ]
        customer = cls.env["res.partner"].create(
            {"name": "T Kanban Corp", "is_company": True}
        )
        stages = [
            cls.env.ref(f"contoso_sales.stage_{key}") for key in ("qualify", "quote")
        ]
        with freeze_time("2026-03-02"):
            cls.deals = cls.env["crm.lead"].create(
                [
                    {
                        "name": f"T rpc card {number}",
                        "type": "opportunity",
                        "partner_id": customer.id,
                        "team_id": cls.team.id,
                        "user_id": cls.sally.id if number % 3 else False,
                        "stage_id": stages[number % 2].id,
                        "expected_revenue": (15000, 20000, 20000.01, 45000)[number % 4],
                        "company_id": False if number == 7 else cls.env.company.id,
                    }
                    for number in range(12)
                ]
            )
            cls.deals[::2]._contoso_nurture_enrol()
            cls.deals[0].contoso_nurture_enrolment_ids._stop("T not now.")
            cls.deals[0]._contoso_nurture_enrol()
            cls.deals[4].contoso_nurture_enrolment_ids.action_pause()
        cls.env["contoso.tech.check"].create(
            {
                "lead_id": cls.deals[3].id,
                "consultant_id": cls.tom.id,
                "result": "pass",
                "details": "<p>OK</p>",
            }
        )
        cls.spec = {
            "name": {},
            "stage_id": {"fields": {"display_name": {}}},
            "expected_revenue": {},
            "tech_check_badge": {},
            **dict.fromkeys(NURTURE_FIELDS, {}),
        }

    def test_redteam_kanban_http_grouped_read_per_role(self):
        for user in (self.sally, self.tom, self.maria):
            self.login(user)
            result = self.call_kw(
                "crm.lead",
                "web_read_group",
                [],
                {
                    "domain": [("id", "in", self.deals.ids)],
                    "groupby": ["stage_id"],
                    "auto_unfold": True,
                    "unfold_read_specification": self.spec,
                    "unfold_read_default_limit": 40,
                },
            )
            cards = {
                card["id"]: card
                for group in result["groups"]
                for card in group.get("__records", ())
            }
            self.assertTrue(cards, user.login)
            deals = self.env["crm.lead"].with_user(user).browse(list(cards))
            self.env.invalidate_all()
            self.assertEqual(
                set(cards), set(deals.search([("id", "in", self.deals.ids)]).ids)
            )
            self.env.invalidate_all()
            old = nurture_of_the_old_code(deals)
            self.env.invalidate_all()
            orm = nurture_through_orm(deals)
            self.env.invalidate_all()
            for deal in deals:
                card = cards[deal.id]
                self.assertEqual(
                    card["tech_check_badge"],
                    badge_definition(deal),
                    (user.login, deal.name),
                )
                got = tuple(card[fname] for fname in NURTURE_FIELDS)
                self.assertEqual(got, old[deal.id], (user.login, deal.name))
                self.assertEqual(got, orm[deal.id], (user.login, deal.name))
        # (Maria, the last one, read every card)
        badges = {card["id"]: card["tech_check_badge"] for card in cards.values()}
        self.assertEqual(badges[self.deals[2].id], "needed")
        self.assertEqual(badges[self.deals[3].id], "passed")
        self.assertEqual(badges[self.deals[1].id], False)
        self.assertEqual(badges[self.deals[7].id], "needed")
        self.assertEqual(cards[self.deals[0].id]["contoso_nurture_count"], 2)
        self.assertEqual(cards[self.deals[4].id]["contoso_nurture_state"], "paused")

    def test_redteam_kanban_http_portal_reads_no_card(self):
        self.login(self.portal)
        for method, args, kwargs in (
            (
                "web_search_read",
                [],
                {"domain": [("id", "in", self.deals.ids)], "specification": self.spec},
            ),
            ("web_read", [self.deals.ids], {"specification": self.spec}),
            (
                "web_read_group",
                [],
                {
                    "domain": [],
                    "groupby": ["stage_id"],
                    "auto_unfold": True,
                    "unfold_read_specification": self.spec,
                },
            ),
        ):
            reply = self.call_kw_reply("crm.lead", method, args, kwargs)
            self.assertNotIn("result", reply, method)
            self.assertEqual(
                reply["error"]["data"]["name"], "odoo.exceptions.AccessError", method
            )
            self.assertNotIn("T rpc card", str(reply), method)
        with self.assertRaises(JsonRpcException):
            self.call_kw(
                "contoso.nurture.enrolment", "search_read", [[]], {"fields": ["state"]}
            )
