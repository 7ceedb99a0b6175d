from freezegun import freeze_time
from lxml import etree
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import ContosoCase
from .test_tech_check import TechCheckCase


@tagged("post_install", "-at_install")
class TestBadgeRedteam(TechCheckCase):
    """The kanban badge, read for a whole page, says what the four fields it
    replaced said, card by card, for every reader and company context."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create(
            {"name": "T Contoso West", "contoso_tech_check_threshold": 5000}
        )
        cls.team_b = cls.env["crm.team"].create(
            {
                "name": "T West Sales",
                "company_id": cls.company_b.id,
                "contoso_tech_check": True,
            }
        )
        cls.boss = new_test_user(
            cls.env,
            login="t_boss",
            name="Test Boss",
            company_id=cls.company.id,
            company_ids=[Command.set((cls.company | cls.company_b).ids)],
            groups="base.group_user,contoso_sales.group_sales_manager",
        )

    def _old_badge(self, deal):
        """The old card expression, on the four fields, each read alone."""
        self.env.invalidate_all()
        if not (deal.tech_check_team and deal.tech_check_required):
            return False
        if deal.tech_check_passed:
            return "passed"
        return not deal.tech_check_override_user_id and "needed"

    def test_badge_is_the_old_expression_on_a_mixed_page(self):
        west = self.Lead.create(
            {
                "name": "T west 8000",
                "type": "opportunity",
                "company_id": self.company_b.id,
                "team_id": self.team_b.id,
                "expected_revenue": 8000,
            }
        )
        home = self._deal("T home 8000", 8000, "quote")
        orphan = self._deal("T orphan 8000", 8000, "quote")
        orphan.company_id = False
        own_check = self._deal("T own check", 30000, "quote")
        # a check by the deal's own salesperson does not count
        both = new_test_user(
            self.env,
            login="t_both",
            name="Test Both",
            groups="base.group_user,contoso_sales.group_salesperson,"
            "contoso_sales.group_technical_consultant",
        )
        self._log_check(own_check, user=both)
        own_check.user_id = both
        overridden = self._deal("T overridden then raised", 30000, "quote")
        overridden.with_user(self.manager).tech_check_override_reason = "Seen"
        overridden.expected_revenue = 35000
        lead = self._deal("T lead", 30000, "quote")
        lead.type = "lead"
        archived = self._deal("T archived", 30000, "quote")
        archived.action_archive()
        deals = west | home | orphan | own_check | overridden | lead | archived
        deals |= self.deal | self.small
        for user, companies in (
            (self.boss, self.company | self.company_b),
            (self.boss, self.company_b | self.company),
            (self.manager, self.company),
        ):
            Lead = self.Lead.with_user(user).with_context(
                allowed_company_ids=companies.ids, active_test=False
            )
            readable = Lead.search([("id", "in", deals.ids)])
            self.env.invalidate_all()
            page = {
                row["id"]: row["tech_check_badge"]
                for row in readable.web_read({"tech_check_badge": {}})
            }
            old = {deal.id: self._old_badge(deal) for deal in readable}
            self.assertEqual(page, old, (user.login, companies.ids))
        self.assertEqual(
            page[orphan.id], "needed", "no company: the strictest threshold"
        )
        # deals being edited (new records of the form), beside saved ones
        self.env.invalidate_all()
        Lead = self.Lead.with_user(self.manager)
        edited = Lead.browse()
        for deal in (self.deal, self.small, overridden):
            edited |= Lead.new({"expected_revenue": 15000}, origin=deal)
        self.assertEqual(
            (edited | Lead.browse(self.deal.id)).mapped("tech_check_badge"),
            [False, False, False, "needed"],
        )
        # (new records of one origin share their cache: a request of its own)
        self.env.invalidate_all()
        edited = Lead.new({"expected_revenue": 25000}, origin=self.small)
        self.assertEqual(edited.tech_check_badge, "needed")


@tagged("post_install", "-at_install")
class TestStageBarRedteam(ContosoCase):
    """The stage bar's domain, as the form evaluates it on its values (also
    unsaved, after changing the team), offers Pipeline Stages."""

    def _offered(self, form):
        Lead = self.env["crm.lead"].with_user(self.salesperson)
        arch = Lead.get_views([(False, "form")])["views"]["form"]["arch"]
        (bar,) = etree.fromstring(arch).xpath("//header/field[@name='stage_id']")
        values = {
            "team_id": form.team_id.id,
            "contoso_team_own_stages": form.contoso_team_own_stages,
        }
        return Lead.env["crm.stage"].search(safe_eval(bar.get("domain"), values))

    def test_stage_bar_after_team_changed_in_the_form(self):
        own_empty = self.env["crm.team"].create(
            {"name": "T Own Without Stages", "contoso_own_stages": True}
        )
        other_company = self.env["res.company"].create({"name": "T Other Co"})
        foreign = self.env["crm.team"].create(
            {
                "name": "T Foreign Own",
                "contoso_own_stages": True,
                "company_id": other_company.id,
            }
        )
        self.env["crm.stage"].create(
            {"name": "T Foreign Review", "team_ids": [Command.link(foreign.id)]}
        )
        deal = (
            self.env["crm.lead"]
            .with_user(self.salesperson)
            .create({"name": "T bar", "type": "opportunity", "team_id": self.team.id})
        )
        for team in (own_empty, self.env["crm.team"], self.team):
            with Form(deal.with_user(self.env.user)) as form:
                form.team_id = team
                offered = self._offered(form)
                expected = deal.new({"team_id": team.id}, origin=deal).contoso_stage_ids
                self.assertEqual(offered, expected._origin, team.name)
                form.team_id = deal.team_id
        deal.sudo().write(
            {"user_id": False, "team_id": foreign.id, "company_id": other_company.id}
        )
        new = deal.with_user(self.salesperson).sudo(False).new(origin=deal)
        self.assertTrue(new.contoso_team_own_stages)
        self.assertEqual(new.contoso_stage_ids.mapped("name"), ["T Foreign Review"])


@tagged("post_install", "-at_install")
class TestNurtureRedteam(ContosoCase):
    """Progress and current enrolment say the same, refreshed by writes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.contoso_nurture_auto_enrol = True
        with freeze_time("2026-03-02"):
            cls.deal = cls.env["crm.lead"].create(
                {
                    "name": "T nurtured",
                    "type": "opportunity",
                    "partner_id": cls.customer.id,
                    "team_id": cls.team.id,
                    "user_id": cls.salesperson.id,
                    "expected_revenue": 5000,
                }
            )
            cls.twin = cls.deal.copy({"name": "T twin"})
        cls.enrolment = cls.deal.contoso_nurture_enrolment_ids

    def _check(self, deal):
        """Current enrolment and progress agree, saved and edited alike."""
        deal = deal.with_user(self.salesperson)
        enrolment = deal.contoso_nurture_enrolment_id
        self.assertEqual(
            deal.contoso_nurture_progress,
            enrolment._progress_texts().get(enrolment, ""),
        )
        progress, count = deal.contoso_nurture_progress, deal.contoso_nurture_count
        # (a form's onchange: a request of its own; new records of one origin
        # share their cache)
        self.env.invalidate_all()
        edited = deal.new(origin=deal)
        self.assertEqual(edited.contoso_nurture_enrolment_id._origin, enrolment)
        self.assertEqual(edited.contoso_nurture_progress, progress)
        self.assertEqual(edited.contoso_nurture_count, count)
        return enrolment

    def test_current_enrolment_follows_writes(self):
        self.assertTrue(self.enrolment)
        self.assertEqual(self._check(self.deal), self.enrolment)
        self.enrolment._stop("T first reason.")
        self.assertEqual(self._check(self.deal), self.enrolment)
        with freeze_time("2026-03-05"):
            self.deal._contoso_nurture_enrol()
        second = self.deal.contoso_nurture_enrolment_ids - self.enrolment
        self.assertEqual(self._check(self.deal), second)
        second._stop("T second reason.")
        self.assertEqual(self._check(self.deal), second)
        self.enrolment.date_start = "2026-03-09"
        self.assertEqual(self._check(self.deal), self.enrolment)
        # an enrolment moved to another deal (as a merge does)
        twin_before = self.twin.contoso_nurture_enrolment_id
        self.enrolment.lead_id = self.twin
        self.assertEqual(self._check(self.deal), second)
        self.assertEqual(self._check(self.twin), twin_before or self.enrolment)
        self.assertIn(self.enrolment, self.twin.contoso_nurture_enrolment_ids)
        self.assertNotIn(self.enrolment, self.deal.contoso_nurture_enrolment_ids)

    def test_stop_reason_corrected_and_shared_lines(self):
        """Deals sharing a line each keep their own enrolment; a stop reason
        corrected afterwards shows at once; readers in French and English in
        one transaction each read their language."""
        deals = (self.deal | self.twin).with_user(self.salesperson)
        self.assertEqual(
            deals[0].contoso_nurture_progress, deals[1].contoso_nurture_progress
        )
        self.assertEqual(
            deals.mapped("contoso_nurture_enrolment_id"),
            self.enrolment | self.twin.contoso_nurture_enrolment_ids,
        )
        french = self._french_salesperson("t_sophie")
        self.team.write(
            {"member_ids": [Command.link(french.id)], "contoso_share_deals": True}
        )
        english = self.deal.with_user(self.salesperson).contoso_nurture_progress
        in_french = (
            self.deal.with_user(french).with_context(lang="fr_FR")
        ).contoso_nurture_progress
        self.assertNotEqual(english, in_french)
        self.assertEqual(
            self.deal.with_user(self.salesperson).contoso_nurture_progress, english
        )
        self.enrolment._stop("T first reason.")
        self.enrolment.stop_reason = "T corrected reason."
        self.assertEqual(
            self.deal.with_user(self.salesperson).contoso_nurture_progress,
            "Nurturing stopped: T corrected reason.",
        )

    def test_consultant_reads_the_page_without_enrolments(self):
        """A consultant reads the deals he checks, not their enrolments: the
        kanban's fields read for the page give him no status and no error."""
        self.env["contoso.tech.check"].create(
            {
                "lead_id": self.deal.id,
                "consultant_id": self.consultant.id,
                "details": "<p>Survey</p>",
                "result": "fail",
            }
        )
        self.env.invalidate_all()
        Lead = self.env["crm.lead"].with_user(self.consultant)
        result = Lead.web_search_read(
            [("id", "in", (self.deal | self.twin).ids)],
            {
                "tech_check_badge": {},
                "contoso_nurture_progress": {},
                "contoso_nurture_state": {},
                "contoso_nurture_enrolment_id": {"fields": {"display_name": {}}},
            },
        )
        self.assertEqual(
            result["records"],
            [
                {
                    "id": self.deal.id,
                    "tech_check_badge": False,
                    "contoso_nurture_progress": "",
                    "contoso_nurture_state": False,
                    "contoso_nurture_enrolment_id": False,
                }
            ],
        )

    def test_form_edited_by_each_role(self):
        """The deal form opened and edited (onchange of a new record from the
        deal) by each reader shows his status, without error."""
        self.env["contoso.tech.check"].create(
            {
                "lead_id": self.deal.id,
                "consultant_id": self.consultant.id,
                "details": "<p>Survey</p>",
                "result": "fail",
            }
        )
        saved = {}
        for user in (self.salesperson, self.consultant, self.manager):
            self.env.invalidate_all()
            deal = self.deal.with_user(user)
            saved[user] = deal.contoso_nurture_progress
            self.env.invalidate_all()
            form = Form(deal)
            if user != self.consultant:  # (his form is read-only)
                form.expected_revenue = 90000
                form.team_id = self.env["crm.team"]
                form.team_id = self.team
            self.assertEqual(form.contoso_nurture_progress, saved[user], user.login)
            self.assertTrue(form.contoso_team_own_stages)
        self.assertEqual(saved[self.consultant], "")
        self.assertEqual(saved[self.salesperson], saved[self.manager])
        self.assertTrue(saved[self.salesperson])

    def test_kanban_page_read_grouped_as_the_web_client(self):
        """The kanban's grouped read (columns unfolded, 32 cards a column)
        gives each card the status and badge its own read gives."""
        self.env["crm.lead"].create(
            [
                {
                    "name": f"T card {number}",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "user_id": self.salesperson.id,
                    "stage_id": self.stages["develop"].id,
                }
                for number in range(40)
            ]
        )
        Lead = self.env["crm.lead"].with_user(self.manager)
        spec = {
            "name": {},
            "tech_check_badge": {},
            "contoso_nurture_progress": {},
            "contoso_nurture_state": {},
        }
        self.env.invalidate_all()
        result = Lead.web_read_group(
            [("team_id", "=", self.team.id)],
            ["stage_id"],
            auto_unfold=True,
            unfold_read_specification=spec,
            unfold_read_default_limit=32,
        )
        cards = [
            card for group in result["groups"] for card in group.get("__records", ())
        ]
        self.assertNotEqual(self.deal.stage_id, self.stages["develop"])
        self.assertIn(self.deal.id, [card["id"] for card in cards])
        self.assertTrue(
            all(len(group.get("__records", ())) <= 32 for group in result["groups"])
        )
        self.env.invalidate_all()
        alone = {
            card["id"]: card
            for card in Lead.browse([card["id"] for card in cards]).web_read(spec)
        }
        self.assertEqual({card["id"]: card for card in cards}, alone)


@tagged("post_install", "-at_install")
class TestLatestQuoteAmountRedteam(ContosoCase):
    """The latest quotation's amount, a float, is shown in that quotation's
    currency (not the company's) on the deal form's quotation button."""

    def test_amount_in_the_quotation_currency(self):
        euro = self.env.ref("base.EUR")
        euro.active = True
        pricelist = self.env["product.pricelist"].create(
            {"name": "T Euro", "currency_id": euro.id}
        )
        product = self.env["product.product"].create(
            {"name": "T Panel", "list_price": 1234.567, "taxes_id": [Command.clear()]}
        )
        deal = self.env["crm.lead"].create(
            {
                "name": "T euro deal",
                "type": "opportunity",
                "partner_id": self.customer.id,
                "team_id": self.team.id,
                "user_id": self.salesperson.id,
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "opportunity_id": deal.id,
                "user_id": self.salesperson.id,
                "pricelist_id": pricelist.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        self.assertEqual(order.currency_id, euro)
        values = deal.with_user(self.salesperson).web_read(
            {
                "contoso_latest_quote_amount": {},
                "contoso_latest_quote_currency_id": {"fields": {}},
            }
        )[0]
        self.assertEqual(values["contoso_latest_quote_amount"], order.amount_total)
        self.assertEqual(values["contoso_latest_quote_currency_id"], {"id": euro.id})
        self.assertEqual(euro.round(order.amount_total), order.amount_total)
        arch = self.env["crm.lead"].get_views([(False, "form")])["views"]["form"]
        (node,) = etree.fromstring(arch["arch"]).xpath(
            "//field[@name='contoso_latest_quote_amount']"
        )
        self.assertEqual(node.get("widget"), "monetary")
        self.assertEqual(
            safe_eval(node.get("options"))["currency_field"],
            "contoso_latest_quote_currency_id",
        )
        self.assertTrue(
            etree.fromstring(arch["arch"]).xpath(
                "//field[@name='contoso_latest_quote_currency_id']"
            )
        )
