"""Red team over HTTP (Odoo's runner: contoso_http): the chatter's Mark Done
(JSON-RPC mail.activity action_feedback), its archive and delete, as each role;
and *My Tech Checks to Do* loaded and read as the web client does."""

import ast
from datetime import timedelta

from lxml import etree
from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .http_common import GatedTeamHttpCase, rpc_user

ACTION = "contoso_sales.crm_lead_action_tech_checks_to_do"


@tagged("post_install", "-at_install", "contoso_http")
class TestHttpMarkDoneRedTeam(GatedTeamHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.contoso_nurture_auto_enrol = True
        cls.env["res.lang"]._activate_and_install_lang("fr_FR")
        cls.sally = rpc_user(
            cls.env, "rpc_md_sally", "base.group_user,contoso_sales.group_salesperson"
        )
        cls.tom = rpc_user(
            cls.env,
            "rpc_md_tom",
            "base.group_user,contoso_sales.group_technical_consultant",
            lang="fr_FR",
        )
        cls.paula = rpc_user(cls.env, "rpc_md_paula", "base.group_portal")
        cls.team.member_ids = [(4, cls.sally.id), (4, cls.tom.id)]
        cls.customer = cls.env["res.partner"].create(
            {"name": "Fabrikam RPC Corp", "is_company": True}
        )
        cls.stage = cls.env.ref("contoso_sales.stage_qualify")

    def _deal(self, name, amount=0):
        return (
            self.env["crm.lead"]
            .with_user(self.sally)
            .create(
                {
                    "name": name,
                    "type": "opportunity",
                    "partner_id": self.customer.id,
                    "team_id": self.team.id,
                    "user_id": self.sally.id,
                    "stage_id": self.stage.id,
                    "expected_revenue": amount,
                }
            )
        )

    def _request(self):
        day = fields.Date.today() + timedelta(days=2)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return self.env["contoso.callback.request"].create(
            {
                "partner_id": self.customer.id,
                "requested_by_id": self.customer.id,
                "subject": "order",
                "date": day,
                "slot": "afternoon",
                "user_id": self.sally.id,
            }
        )

    def _step(self, deal):
        self.env.invalidate_all()
        enrolment = deal.contoso_nurture_enrolment_ids
        return enrolment.state, len(enrolment.line_ids)

    # -- Change 1 ---------------------------------------------------------------

    def test_chatter_mark_done_moves_step_and_request(self):
        deal, request = self._deal("RPC HQ alarm"), self._request()
        activities = (
            deal.contoso_nurture_enrolment_ids.activity_id | request.activity_id
        )
        self.login(self.sally)
        self.call_kw(
            "mail.activity",
            "action_feedback",
            [activities.ids],
            {"feedback": "Called", "attachment_ids": []},
        )
        self.assertEqual(self._step(deal), ("running", 1))
        self.assertEqual(request.state, "done")

    def test_chatter_done_and_schedule_next(self):
        deal = self._deal("RPC HQ alarm")
        activity = deal.contoso_nurture_enrolment_ids.activity_id
        self.login(self.sally)
        self.call_kw(
            "mail.activity", "action_feedback_schedule_next", [activity.ids], {}
        )
        self.assertEqual(self._step(deal), ("running", 1))

    def test_archive_and_unlink_over_rpc_pause(self):
        archived, deleted = self._deal("RPC A"), self._deal("RPC B")
        self.login(self.sally)
        self.call_kw(
            "mail.activity",
            "action_archive",
            [archived.contoso_nurture_enrolment_ids.activity_id.ids],
        )
        self.call_kw(
            "mail.activity",
            "unlink",
            [deleted.contoso_nurture_enrolment_ids.activity_id.ids],
        )
        self.assertEqual(self._step(archived), ("paused", 0))
        self.assertEqual(self._step(deleted), ("paused", 0))

    def test_consultant_and_portal_are_refused_and_nothing_moves(self):
        deal, request = self._deal("RPC HQ alarm"), self._request()
        activities = (
            deal.contoso_nurture_enrolment_ids.activity_id | request.activity_id
        )
        for user in (self.tom, self.paula):
            with self.subTest(user=user.login):
                self.login(user)
                with self.assertRaises(JsonRpcException):
                    self.call_kw("mail.activity", "action_feedback", [activities.ids])
                self.assertEqual(self._step(deal), ("running", 0))
                self.assertEqual(request.state, "requested")
        # the private query is not callable over RPC
        self.login(self.sally)
        with self.assertRaises(JsonRpcException):
            self.call_kw("mail.activity", "_contoso_waiting_on", [activities.ids])

    # -- Change 2 ---------------------------------------------------------------

    def _load(self):
        reply = self.url_open(
            "/web/action/load",
            json={"jsonrpc": "2.0", "method": "call", "params": {"action_id": ACTION}},
        ).json()
        return reply

    def test_consultant_opens_tech_checks_in_french(self):
        big, small = self._deal("RPC big", 48000), self._deal("RPC small", 1000)
        self.login(self.tom)
        action = self._load()["result"]
        self.assertEqual(action["name"], "Mes vérifications techniques à faire")
        list_id = self.env.ref("contoso_sales.crm_lead_view_list_tech_checks_to_do").id
        self.assertEqual(action["views"][0], [list_id, "list"])
        context = {"lang": "fr_FR"}
        views = self.call_kw(
            "crm.lead",
            "get_views",
            [],
            {
                "views": action["views"] + [[action["search_view_id"][0], "search"]],
                "options": {"toolbar": True, "load_filters": True},
                "context": context,
            },
        )
        arch = etree.fromstring(views["views"]["list"]["arch"])
        self.assertEqual(arch.get("string"), "Transactions à vérifier")
        self.assertNotIn("pportunit", views["views"]["list"]["arch"])
        domain = ast.literal_eval(action["domain"])
        search = etree.fromstring(views["views"]["search"]["arch"])
        (node,) = search.xpath("//filter[@name='needs_tech_check']")
        domain += ast.literal_eval(node.get("domain"))
        spec = {name: {} for name in arch.xpath("//field/@name")}
        rows = self.call_kw(
            "crm.lead",
            "web_search_read",
            [],
            {"domain": domain, "specification": spec, "limit": 80, "context": context},
        )["records"]
        ids = [row["id"] for row in rows]
        self.assertIn(big.id, ids)
        self.assertNotIn(small.id, ids)

    def test_portal_loads_no_deal(self):
        self._deal("RPC big", 48000)
        self.login(self.paula)
        with self.assertRaises(JsonRpcException):
            self.call_kw(
                "crm.lead",
                "web_search_read",
                [],
                {"domain": [], "specification": {"name": {}}, "limit": 80},
            )
