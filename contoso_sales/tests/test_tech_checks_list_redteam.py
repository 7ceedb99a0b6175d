"""Red team: *My Tech Checks to Do* and its own list, as every role sees it."""

import ast
import re

from lxml import etree
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_tech_check import TechCheckCase

ACTION = "contoso_sales.crm_lead_action_tech_checks_to_do"
LIST = "contoso_sales.crm_lead_view_list_tech_checks_to_do"
RESIDUAL = re.compile(r"opportunit", re.IGNORECASE)


@tagged("post_install", "-at_install")
class TestTechChecksListRedTeam(TechCheckCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_and_install_lang("fr_FR")
        cls.action = cls.env.ref(ACTION)
        cls.list_view = cls.env.ref(LIST)
        cls.other_company = cls.env["res.company"].create(
            {"name": "Contoso Belgium", "contoso_tech_check_threshold": 20000}
        )
        cls.both = [cls.company.id, cls.other_company.id]
        cls.multi_consultant = new_test_user(
            cls.env,
            login="t_rt5_multi_tom",
            name="Multi Tom",
            groups="base.group_user,contoso_sales.group_technical_consultant,"
            "base.group_multi_company",
            company_id=cls.company.id,
            company_ids=cls.both,
        )
        cls.french_consultant = new_test_user(
            cls.env,
            login="t_rt5_french_tom",
            name="Thomas",
            lang="fr_FR",
            groups="base.group_user,contoso_sales.group_technical_consultant",
        )
        cls.team.member_ids = [
            (4, cls.multi_consultant.id),
            (4, cls.french_consultant.id),
        ]
        cls.other_team = cls.env["crm.team"].create(
            {
                "name": "Belgium",
                "company_id": cls.other_company.id,
                "contoso_tech_check": True,
            }
        )
        cls.other_seller = new_test_user(
            cls.env,
            login="t_rt5_be_sally",
            name="Belgian Sally",
            groups="base.group_user,contoso_sales.group_salesperson",
            company_id=cls.other_company.id,
            company_ids=[cls.other_company.id],
        )
        cls.other_deal = cls.Lead.create(
            {
                "name": "Brussels HQ alarm",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "team_id": cls.other_team.id,
                "user_id": cls.other_seller.id,
                "company_id": cls.other_company.id,
                "expected_revenue": 50000,
            }
        )

    # -- helpers ----------------------------------------------------------------

    def _views(self, user, lang="en_US", companies=None):
        # as /web/action/load: the action read in sudo, its views as the user
        action = self.action.with_context(lang=lang)
        Lead = self.Lead.with_user(user).with_context(
            lang=lang, allowed_company_ids=companies or user.company_ids.ids
        )
        views = [list(v) for v in action.views] + [[action.search_view_id.id, "search"]]
        return Lead, Lead.get_views(views)

    def _domain(self, views):
        search = etree.fromstring(views["views"]["search"]["arch"])
        domain = ast.literal_eval(self.action.domain)
        for name, value in ast.literal_eval(self.action.context).items():
            if name.startswith("search_default_") and value:
                (node,) = search.xpath(f"//filter[@name='{name[15:]}']")
                domain += ast.literal_eval(node.get("domain"))
        return domain

    def _rows(self, user, companies=None):
        Lead, views = self._views(user, companies=companies)
        arch = etree.fromstring(views["views"]["list"]["arch"])
        spec = {node.get("name"): {} for node in arch.xpath("//field")}
        return Lead.web_search_read(self._domain(views), spec, limit=80)["records"]

    # -- labels -----------------------------------------------------------------

    def test_french_consultant_reads_transactions_a_verifier(self):
        _Lead, views = self._views(self.french_consultant, lang="fr_FR")
        arch = etree.fromstring(views["views"]["list"]["arch"])
        self.assertEqual(arch.get("string"), "Transactions à vérifier")
        (name,) = arch.xpath("//field[@name='name']")
        self.assertEqual(name.get("string"), "Transaction")
        self.assertEqual(
            self.action.with_context(lang="fr_FR").name,
            "Mes vérifications techniques à faire",
        )

    def test_no_opportunity_in_the_list_in_either_language(self):
        for lang, user in (
            ("en_US", self.consultant),
            ("fr_FR", self.french_consultant),
        ):
            with self.subTest(lang=lang):
                _Lead, views = self._views(user, lang=lang)
                list_view = views["views"]["list"]
                self.assertFalse(RESIDUAL.findall(list_view["arch"]))
                fields = views["models"]["crm.lead"]["fields"]
                arch = etree.fromstring(list_view["arch"])
                for name in arch.xpath("//field/@name"):
                    info = fields[name]
                    for text in (info.get("string"), info.get("help")):
                        self.assertFalse(
                            RESIDUAL.search(text or ""), f"{lang} {name}: {text}"
                        )

    # -- roles ------------------------------------------------------------------

    def test_every_internal_role_gets_the_actions_own_list(self):
        roles = {
            "consultant": self.consultant,
            "salesperson": self.salesperson,
            "manager": self.manager,
            "data admin": self._role_user("data admin"),
        }
        for role, user in roles.items():
            with self.subTest(role=role):
                _Lead, views = self._views(user)
                self.assertEqual(views["views"]["list"]["id"], self.list_view.id)
                arch = etree.fromstring(views["views"]["list"]["arch"])
                self.assertEqual(arch.get("create"), "0")
                # the kanban and form of the same action still open
                self.assertIn("kanban", views["views"])
                self.assertIn("form", views["views"])

    def test_consultant_reads_deals_to_check_not_small_ones(self):
        ids = [row["id"] for row in self._rows(self.consultant)]
        self.assertIn(self.deal.id, ids)
        self.assertNotIn(self.small.id, ids)

    def test_archived_deal_not_listed(self):
        self.deal.action_archive()
        ids = [row["id"] for row in self._rows(self.consultant)]
        self.assertNotIn(self.deal.id, ids)

    def test_portal_user_gets_no_list(self):
        portal = new_test_user(
            self.env,
            login="t_rt5_portal",
            name="Portal Paula",
            groups="base.group_portal",
        )
        with self.assertRaises(AccessError):
            self._views(portal)

    # -- multi-company ----------------------------------------------------------

    def test_company_column_for_multi_company_consultant_only(self):
        _Lead, views = self._views(self.multi_consultant, companies=self.both)
        arch = etree.fromstring(views["views"]["list"]["arch"])
        self.assertTrue(arch.xpath("//field[@name='company_id']"))
        _Lead, views = self._views(self.consultant)
        arch = etree.fromstring(views["views"]["list"]["arch"])
        self.assertFalse(arch.xpath("//field[@name='company_id']"))

    def test_other_company_deals_only_when_that_company_is_active(self):
        one = self._rows(self.multi_consultant, companies=[self.company.id])
        self.assertNotIn(self.other_deal.id, [row["id"] for row in one])
        self.assertIn(self.deal.id, [row["id"] for row in one])
        both = self._rows(self.multi_consultant, companies=self.both)
        rows = {row["id"]: row for row in both}
        self.assertIn(self.other_deal.id, rows)
        self.assertEqual(rows[self.other_deal.id]["company_id"], self.other_company.id)
        # a consultant of one company never reads the other's
        self.assertNotIn(
            self.other_deal.id, [row["id"] for row in self._rows(self.consultant)]
        )
