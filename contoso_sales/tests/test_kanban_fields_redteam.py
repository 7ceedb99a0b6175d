"""Red team of the kanban card's fields read by one query each (6b965a1, the
tech-check badge; 13a78c4, the nurturing status): every card says what the
Python definition (the badge) and the old code and the ORM (the nurturing
status) say, for every reader, company, language and page."""

from collections import defaultdict

from freezegun import freeze_time
from odoo.fields import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL
from odoo.tools.misc import get_lang

from ..models.contoso_nurture_enrolment import RUNNING_STATES
from .common import ContosoCase
from .test_tech_check import TechCheckCase

NURTURE_FIELDS = (
    "contoso_nurture_progress",
    "contoso_nurture_state",
    "contoso_nurture_is_email",
    "contoso_nurture_count",
)


def badge_definition(deal):
    """The badge as the brief defines it, from the deal's own fields: a team
    with tech checks, strictly above the threshold of the deal's company (the
    strictest threshold, converted, without company); then passed, else not
    overridden. Read as superuser in the reader's company context."""
    deal = deal.sudo()
    if deal.company_id:
        threshold = deal.company_id.contoso_tech_check_threshold
    else:
        threshold = deal._tech_check_strictest_threshold()
    if not (deal.team_id.contoso_tech_check and deal.expected_revenue > threshold):
        return False
    if deal.tech_check_passed:
        return "passed"
    return False if deal.tech_check_override_user_id else "needed"


def badge_of_the_four_fields(deal):
    """The card's old expression on the four fields the badge replaced."""
    if not (deal.tech_check_team and deal.tech_check_required):
        return False
    if deal.tech_check_passed:
        return "passed"
    return False if deal.tech_check_override_user_id else "needed"


def nurture_through_orm(deals):
    """{deal id: (progress, state, is_email, count)} from the enrolments the
    reader finds through the ORM (his record rules), in the model's order."""
    found = deals.env["contoso.nurture.enrolment"].search(
        [("lead_id", "in", deals._origin.ids)]
    )
    by_deal = defaultdict(lambda: found.browse())
    for enrolment in found:
        by_deal[enrolment.lead_id.id] |= enrolment
    result = {}
    for deal in deals:
        mine = by_deal[deal._origin.id]
        current = (mine.filtered(lambda e: e.state in RUNNING_STATES) or mine)[:1]
        result[deal.id] = (
            current._progress_texts().get(current, ""),
            current.state or False,
            bool(current.state == "running" and current.step_id.mail_template_id),
            len(mine),
        )
    return result


# The query of the code before 13a78c4 (git show 69e2a20), word for word.
OLD_QUERY = """
    WITH enrolment AS (
        SELECT id, lead_id, state, step_id, date_due, stop_reason,
               cadence_id, date_start
          FROM contoso_nurture_enrolment
         WHERE id IN %(readable)s
    ), step AS (
        SELECT s.id, s.cadence_id, s.mail_template_id, %(summary)s AS summary,
               row_number() OVER (
                   PARTITION BY s.cadence_id ORDER BY s.sequence, s.id
               ) AS number
          FROM contoso_nurture_step s
         WHERE s.cadence_id IN (SELECT cadence_id FROM enrolment)
            OR s.id IN (SELECT step_id FROM enrolment)
    )
    SELECT e.id, e.lead_id, e.state, e.date_due, e.stop_reason,
           s.summary, s.mail_template_id IS NOT NULL AS is_email,
           CASE WHEN s.cadence_id = e.cadence_id THEN s.number ELSE 0 END
               AS number,
           (SELECT count(*) FROM step t WHERE t.cadence_id = e.cadence_id)
               AS total
      FROM enrolment e
      LEFT JOIN step s ON s.id = e.step_id
     ORDER BY e.date_start DESC, e.id DESC
"""


def nurture_of_the_old_code(deals):
    """{deal id: (progress, state, is_email, count)} as the code before
    13a78c4 computed them for saved deals (its query and its Python pick)."""
    env = deals.env
    Enrolment = env["contoso.nurture.enrolment"]
    Step = env["contoso.nurture.step"]
    readable = Enrolment._search([("lead_id", "in", deals.ids)])
    env.flush_all()
    query = SQL(
        OLD_QUERY,
        readable=readable.subselect(),
        summary=Step._field_to_sql("s", "summary"),
    )
    rows = defaultdict(list)
    for row in env.execute_query_dict(query):
        rows[row["lead_id"]].append(row)
    templates = Enrolment._progress_templates()
    lang = get_lang(env).code
    result = {}
    for deal in deals:
        found = rows.get(deal.id, ())
        row = next((r for r in found if r["state"] in RUNNING_STATES), None) or (
            found[0] if found else None
        )
        if row is None:
            result[deal.id] = ("", False, False, 0)
            continue
        line = Enrolment._progress_line(
            row["state"],
            number=row["number"],
            total=row["total"],
            step=row["summary"],
            date_due=row["date_due"],
            stop_reason=row["stop_reason"],
            templates=templates,
            lang=lang,
        )
        result[deal.id] = (
            line,
            row["state"],
            bool(row["state"] == "running" and row["is_email"]),
            len(found),
        )
    return result


def nurture_shown(deals):
    """{deal id: the four fields} as the deals' records compute them."""
    return {deal.id: tuple(deal[fname] for fname in NURTURE_FIELDS) for deal in deals}


@tagged("post_install", "-at_install")
class TestKanbanBadgeRedteam(TechCheckCase):
    """The badge of a page of saved deals, read in one query, against the
    Python definition and the four fields it replaced."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.EUR").active = True
        Company = cls.env["res.company"]
        cls.company_b = Company.create(
            {
                "name": "T Contoso Euro",
                "currency_id": cls.env.ref("base.EUR").id,
                "contoso_tech_check_threshold": 5000,
            }
        )
        cls.company_neg = Company.create(
            {"name": "T Contoso Negative", "contoso_tech_check_threshold": -100}
        )
        cls.company_null = Company.create(
            {"name": "T Contoso Null", "contoso_tech_check_threshold": 7}
        )
        Team = cls.env["crm.team"]
        # teams of no company: a deal of any company may have them
        cls.gated = Team.create({"name": "T Gated Any", "contoso_tech_check": True})
        cls.free = Team.create({"name": "T Without Checks"})
        cls.archived = Team.create(
            {"name": "T Gated Archived", "contoso_tech_check": True}
        )
        cls.archived.action_archive()
        cls.all_companies = (
            cls.company | cls.company_b | cls.company_neg | cls.company_null
        )
        cls.boss = new_test_user(
            cls.env,
            login="t_kboss",
            name="Test Kanban Boss",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.all_companies.ids)],
            groups="base.group_user,contoso_sales.group_sales_manager",
        )

        no_company = Company.browse()
        no_team = Team.browse()

        def deal(name, amount, company=None, team=None, **values):
            return cls.Lead.create(
                {
                    "name": f"T kb {name}",
                    "type": "opportunity",
                    "partner_id": cls.customer.id,
                    "team_id": (team if team is not None else cls.team).id,
                    # (Sally works in the first company only)
                    "user_id": (
                        cls.salesperson.id if company in (None, no_company) else False
                    ),
                    "company_id": (company if company is not None else cls.company).id,
                    "stage_id": cls.stages["quote"].id,
                    "expected_revenue": amount,
                    **values,
                }
            )

        cls.cases = {
            # name: (deal, the badge it must show)
            "at": (deal("at threshold", 20000), False),
            "cent": (deal("a cent above", 20000.01), "needed"),
            "passed": (deal("passed", 30000), "passed"),
            "overridden": (deal("overridden", 30000), False),
            "raised": (deal("overridden then raised", 30000), False),
            "null": (deal("null amount", 30000), False),
            "negative": (deal("negative amount", -5000), False),
            "no team": (deal("no team", 50000, team=no_team), False),
            "free team": (deal("team without checks", 50000, team=cls.free), False),
            "archived team": (
                deal("archived team", 50000, team=cls.archived),
                "needed",
            ),
            "lead": (deal("a lead", 50000, type="lead"), "needed"),
            "archived": (deal("archived", 50000), "needed"),
            "euro above": (
                deal("euro above", 5000.01, cls.company_b, cls.gated),
                "needed",
            ),
            "euro at": (deal("euro at", 5000, cls.company_b, cls.gated), False),
            "euro passed": (
                deal("euro passed", 9000, cls.company_b, cls.gated),
                "passed",
            ),
            "neg zero": (
                deal("zero over negative", 0, cls.company_neg, cls.gated),
                "needed",
            ),
            "neg below": (
                deal("below negative", -200, cls.company_neg, cls.gated),
                False,
            ),
            "neg null": (
                deal("null over negative", 1, cls.company_neg, cls.gated),
                "needed",
            ),
            "null zero": (
                deal("zero over null", 0, cls.company_null, cls.gated),
                False,
            ),
            "null cent": (
                deal("cent over null", 0.01, cls.company_null, cls.gated),
                "needed",
            ),
            # without company: the strictest threshold (-100, converted)
            "orphan": (deal("orphan zero", 0, no_company), "needed"),
            "orphan below": (deal("orphan below", -500, no_company), False),
            "orphan free": (deal("orphan free team", 900, no_company, cls.free), False),
            "orphan passed": (deal("orphan passed", 900, no_company), "passed"),
        }
        cases = {name: record for name, (record, _badge) in cls.cases.items()}
        for name in ("passed", "euro passed", "orphan passed"):
            cls._log_check_for(cls, cases[name], cls.consultant, "pass")
        for name in ("overridden", "raised"):
            cases[name].tech_check_override_reason = "T seen on site"
        cases["raised"].expected_revenue = 35000
        cases["archived"].action_archive()
        cls.env.flush_all()
        # NULL in the database: what neither the ORM nor a form writes
        cls.env.cr.execute(
            "UPDATE crm_lead SET expected_revenue = NULL WHERE id IN %s",
            [(cases["null"].id, cases["neg null"].id)],
        )
        cls.env.cr.execute(
            "UPDATE res_company SET contoso_tech_check_threshold = NULL WHERE id = %s",
            [cls.company_null.id],
        )
        cls.env.invalidate_all()
        cls.deals = cls.Lead.browse([record.id for record in cases.values()])

    def _expected(self, deals):
        return {
            record.id: badge for record, badge in self.cases.values() if record in deals
        }

    def test_redteam_kanban_badge_every_edge_every_role(self):
        """Each reader's page (web_search_read, archived deals too) shows the
        badge of the definition, of the four fields, and the one expected."""
        self.assertTrue(self.cases["passed"][0].tech_check_passed)
        self.assertTrue(self.cases["overridden"][0].tech_check_override_user_id)
        self.assertEqual(self.deals[:1].sudo().company_id, self.company)
        readers = (
            (self.boss, self.all_companies),
            (self.boss, self.company_b | self.company),
            (self.manager, self.company),
            (self.salesperson, self.company),
            (self.consultant, self.company),
        )
        for user, companies in readers:
            Lead = self.Lead.with_user(user).with_context(
                allowed_company_ids=companies.ids, active_test=False
            )
            self.env.invalidate_all()
            page = Lead.web_search_read(
                [("id", "in", self.deals.ids)], {"tech_check_badge": {}}
            )["records"]
            shown = {row["id"]: row["tech_check_badge"] for row in page}
            self.assertTrue(shown, user.login)
            readable = Lead.browse(list(shown))
            self.env.invalidate_all()
            definition = {deal.id: badge_definition(deal) for deal in readable}
            self.env.invalidate_all()
            four = {deal.id: badge_of_the_four_fields(deal) for deal in readable}
            self.assertEqual(shown, definition, (user.login, companies.ids))
            self.assertEqual(shown, four, (user.login, companies.ids))
            self.assertEqual(
                shown, self._expected(readable), (user.login, companies.ids)
            )
        # the boss read every case, in every company
        Lead = self.Lead.with_user(self.boss).with_context(
            allowed_company_ids=self.all_companies.ids, active_test=False
        )
        self.env.invalidate_all()
        self.assertEqual(
            Lead.search_count([("id", "in", self.deals.ids)]), len(self.cases)
        )

    def test_redteam_kanban_badge_unflushed_changes_read_first(self):
        """Changes of the deal, its team and its company made in this
        transaction (not all of them flushed) count on the first read."""
        self.env.invalidate_all()
        cases = {name: record for name, (record, _badge) in self.cases.items()}
        cases["at"].expected_revenue = 20000.01  # needed now
        cases["cent"].expected_revenue = 20000  # not any more
        cases["euro at"].company_id = self.company_neg  # above -100 now
        cases["free team"].team_id = self.gated  # needed now
        cases["lead"].team_id = self.free  # no badge
        cases["negative"].company_id = False  # above -100 (strictest)
        self.assertTrue(self.env._field_dirty, "the test needs unflushed values")
        self.company_b.contoso_tech_check_threshold = 1000
        self.free.contoso_tech_check = True
        self._log_check_for(cases["cent"], self.consultant, "pass")
        self.env["contoso.tech.check"].create(
            {
                "lead_id": cases["archived team"].id,
                "consultant_id": self.consultant.id,
                "result": "pass",
                "details": "<p>Checked.</p>",
            }
        )
        badges = dict(
            zip(self.deals.ids, self.deals.mapped("tech_check_badge"), strict=True)
        )
        self.env.invalidate_all()
        definition = {deal.id: badge_definition(deal) for deal in self.deals}
        self.assertEqual(badges, definition)
        self.assertEqual(badges[cases["at"].id], "needed")
        self.assertEqual(badges[cases["cent"].id], False)
        self.assertEqual(badges[cases["euro at"].id], "needed")
        self.assertEqual(badges[cases["free team"].id], "needed")
        self.assertEqual(badges[cases["lead"].id], "needed")  # free is gated now
        self.assertEqual(badges[cases["negative"].id], False)  # -5000 < -100
        self.assertEqual(badges[cases["archived team"].id], "passed")
        self.assertEqual(badges[cases["euro passed"].id], "passed")  # 9000 > 1000

    def test_redteam_kanban_badge_follows_writes_after_a_read(self):
        """A page read, then the deal, its team and its check change in the
        same transaction: the badge read again follows each of them."""
        cases = {name: record for name, (record, _badge) in self.cases.items()}
        deals = cases["at"] | cases["cent"] | cases["free team"] | cases["passed"]
        self.assertEqual(
            deals.mapped("tech_check_badge"), [False, "needed", False, "passed"]
        )
        cases["at"].expected_revenue = 20001
        self.free.contoso_tech_check = True
        cases["passed"].expected_revenue = 30001  # the check was for 30,000
        cases["cent"].tech_check_override_reason = "T seen"
        self.assertEqual(
            deals.mapped("tech_check_badge"), ["needed", False, "needed", "needed"]
        )
        self.assertEqual(
            deals.mapped("tech_check_badge"),
            [badge_of_the_four_fields(deal) for deal in deals],
        )

    def test_redteam_kanban_badge_follows_the_threshold_written_after_a_read(self):
        """The threshold of a company changed after the page was read, in the
        same transaction (the Deal Settings, a server action, an import): the
        deals' Needs Tech Check follows it, the badge must too."""
        euro_above = self.cases["euro above"][0]
        at = self.cases["at"][0]
        self.assertEqual(
            (euro_above | at).mapped("tech_check_badge"), ["needed", False]
        )
        self.company_b.contoso_tech_check_threshold = 6000
        self.company.contoso_tech_check_threshold = 19999
        self.assertFalse(euro_above.tech_check_required)
        self.assertTrue(at.tech_check_required)
        self.assertEqual(
            (euro_above | at).mapped("tech_check_badge"),
            [False, "needed"],
            "the badge still shows the threshold read before the change",
        )

    def _sub_cent_deal(self):
        """A deal created with an amount below the cent (an import's float,
        an RPC client's 20000.004): shown and cached as $20,000.00."""
        return self.Lead.create(
            {
                "name": "T kb sub-cent",
                "type": "opportunity",
                "partner_id": self.customer.id,
                "team_id": self.team.id,
                "user_id": self.salesperson.id,
                "company_id": self.company.id,
                "stage_id": self.stages["quote"].id,
                "expected_revenue": 20000.004,
            }
        )

    def test_redteam_kanban_badge_of_a_deal_created_in_the_transaction(self):
        """Created and read in one transaction (web_save, an import, a server
        action): the badge is what the deal's fields say in that transaction,
        $20,000.00 at the $20,000 threshold: no check needed."""
        deal = self._sub_cent_deal()
        self.assertEqual(deal.expected_revenue, 20000.0)
        self.assertFalse(deal.tech_check_required)
        self.assertEqual(deal.tech_check_badge, badge_of_the_four_fields(deal))
        self.assertEqual(deal.tech_check_badge, False)

    def test_redteam_kanban_badge_sub_cent_amount_stored_rounded(self):
        """The comparisons in SQL (the badge, Needs Tech Check's search, the
        consultants' rule) assume amounts stored rounded to the currency
        (_compute_tech_check_required): a deal created at 20000.004 is
        stored so, and answers the same in every transaction."""
        deal = self._sub_cent_deal()
        required_now = deal.tech_check_required
        self.env.invalidate_all()
        self.assertEqual(deal.expected_revenue, 20000.0, "stored as shown")
        self.assertEqual(deal.tech_check_required, required_now)
        self.assertEqual(
            self.Lead.search_count(
                [("id", "=", deal.id), ("tech_check_required", "=", True)]
            ),
            int(required_now),
        )

    def test_redteam_kanban_badge_mixed_page_of_saved_and_edited_deals(self):
        """A page of saved deals and deals being edited (new records, with or
        without origin, moved to another company or team in the form)."""
        Lead = self.Lead.with_user(self.boss).with_context(
            allowed_company_ids=self.all_companies.ids
        )
        cases = {
            name: Lead.browse(record.id) for name, (record, _b) in self.cases.items()
        }
        self.env.invalidate_all()
        edited = (
            Lead.new({"company_id": self.company_b.id}, origin=cases["at"])
            | Lead.new({"team_id": self.free.id}, origin=cases["cent"])
            | Lead.new({"expected_revenue": 30001}, origin=cases["passed"])
            | Lead.new(
                {
                    "name": "T brand new",
                    "type": "opportunity",
                    "team_id": self.gated.id,
                    "company_id": False,
                    "expected_revenue": 25000,
                }
            )
        )
        saved = cases["euro above"] | cases["orphan"] | cases["null cent"]
        page = saved[:1] | edited[:2] | saved[1:] | edited[2:]
        badges = page.mapped("tech_check_badge")
        self.assertEqual(
            badges,
            ["needed", "needed", False, "needed", "needed", "needed", "needed"],
        )
        self.assertEqual(badges, [badge_definition(deal) for deal in page])

    def test_redteam_kanban_badge_of_a_deleted_deal_in_the_page(self):
        """A deal deleted in the transaction, still in a page's recordset:
        the others keep their own badge; the deleted one shows none."""
        doomed = self.Lead.create(
            {
                "name": "T kb doomed",
                "type": "opportunity",
                "team_id": self.team.id,
                "expected_revenue": 90000,
            }
        )
        page = self.cases["cent"][0] | doomed | self.cases["passed"][0]
        doomed.unlink()
        self.env.invalidate_all()
        self.assertEqual(page.mapped("tech_check_badge"), ["needed", False, "passed"])
        self.assertEqual(page.exists(), page - doomed)


@tagged("post_install", "-at_install")
class TestKanbanNurtureRedteam(ContosoCase):
    """The four nurturing fields of a page, grouped by the query, against the
    old code (its query, word for word) and the ORM, per reader and language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_two_teams()
        cls.env["res.lang"]._activate_and_install_lang("fr_FR")
        cls.company.contoso_nurture_auto_enrol = False
        Cadence = cls.env["contoso.nurture.cadence"]
        call = cls.env.ref("mail.mail_activity_data_call")
        template = cls.env.ref("contoso_sales.mail_template_nurture_information")

        def step(summary, sequence, **values):
            return Command.create(
                {
                    "summary": summary,
                    "sequence": sequence,
                    "activity_type_id": call.id,
                    **values,
                }
            )

        # two steps of one sequence (their ids order them), one before both
        cls.short = Cadence.create(
            {
                "name": "T Short",
                "step_ids": [
                    step("T call one", 5),
                    step("T mail two", 5, mail_template_id=template.id),
                    step("T call three", 1),
                ],
            }
        )
        cls.single = Cadence.create(
            {"name": "T Single", "step_ids": [step("T only step", 1)]}
        )
        cls.elsewhere = Cadence.create({"name": "T Elsewhere"})
        Lead = cls.env["crm.lead"]
        Enrolment = cls.env["contoso.nurture.enrolment"]

        def deal(name, user=cls.salesperson, team=cls.team):
            return Lead.create(
                {
                    "name": f"T kn {name}",
                    "type": "opportunity",
                    "partner_id": cls.customer.id,
                    "team_id": team.id,
                    "user_id": user.id,
                    "expected_revenue": 5000,
                }
            )

        def enrol(lead, cadence=None):
            if cadence is None:
                lead._contoso_nurture_enrol()
                return lead.contoso_nurture_enrolment_ids.filtered(
                    lambda e: e.state in RUNNING_STATES
                )
            return Enrolment.create(
                {
                    "lead_id": lead.id,
                    "cadence_id": cadence.id,
                    "partner_id": cls.customer.id,
                }
            )

        cls.d = {}
        with freeze_time("2026-03-02"):
            cls.d["running"] = deal("running")
            enrol(cls.d["running"])
            cls.d["twin"] = deal("twin of running")
            enrol(cls.d["twin"])
            # stopped, then running again at the same step, due the same day:
            # the same line as the two above, another count
            cls.d["again"] = deal("stopped then running")
            enrol(cls.d["again"])._stop("T first go.")
            enrol(cls.d["again"])
            # paused, and a stopped one started later: the paused one shows
            cls.d["paused"] = deal("paused")
            first = enrol(cls.d["paused"])
            first._stop("T older.")
            enrol(cls.d["paused"]).action_pause()
            first.date_start = "2026-03-20"
            # two stopped enrolments started the same day: the later id shows
            cls.d["tie"] = deal("tie")
            enrol(cls.d["tie"])._stop("T tie first.")
            enrol(cls.d["tie"])._stop("T tie second.")
            cls.d["done"] = deal("done")
            done = enrol(cls.d["done"], cls.single)
            done._schedule(cls.env["contoso.nurture.step"], done.date_due)
            cls.d["none"] = deal("no enrolment")
            cls.d["order"] = deal("first step by sequence")
            enrol(cls.d["order"], cls.short)
            cls.d["email"] = deal("email step")
            email = enrol(cls.d["email"], cls.short)
            email.step_id = cls.short.step_ids.filtered(
                lambda s: s.summary == "T mail two"
            )
            # the only step of a cadence moved to another: the cadence has
            # no step left, the step counts in the other one
            cls.d["moved"] = deal("step moved away")
            enrol(cls.d["moved"], cls.single)
            cls.single.step_ids.cadence_id = cls.elsewhere
            cls.env.invalidate_all()
            cls.d["elsewhere"] = deal("enrolled where the step went")
            enrol(cls.d["elsewhere"], cls.elsewhere)
            # Otto's deal of a team that shares its deals: Sally reads it
            cls.d["otto"] = deal("otto's", user=cls.otto)
            enrol(cls.d["otto"])
            # Otto's deal of a team that does not share: nobody but him
            cls.d["hidden"] = deal("hidden", user=cls.otto, team=cls.resellers)
            enrol(cls.d["hidden"])
            # unassigned: every salesperson reads it and its enrolments
            cls.d["unassigned"] = deal("unassigned", user=Lead.env.user.browse())
            enrol(cls.d["unassigned"], cls.short)
        # the consultant checked each deal: he reads them all
        cls.env["contoso.tech.check"].create(
            [
                {
                    "lead_id": record.id,
                    "consultant_id": cls.consultant.id,
                    "result": "fail",
                    "details": "<p>Survey</p>",
                }
                for record in cls.d.values()
            ]
        )
        cls.deals = Lead.browse([record.id for record in cls.d.values()])

    def _readers(self):
        return (
            (self.salesperson, "en_US"),
            (self.otto, "en_US"),
            (self.consultant, "en_US"),
            (self.manager, "en_US"),
            (self.manager, "fr_FR"),
            (self.salesperson, "fr_FR"),
        )

    def test_redteam_kanban_nurture_cases_hold_their_meaning(self):
        """What the cases must show, as the manager reads them in English."""
        deals = self.deals.with_user(self.manager)
        self.env.invalidate_all()
        shown = nurture_shown(deals)
        d = self.d
        self.assertEqual(
            shown[d["running"].id],
            ("Nurturing 1/4 — Introduction call due Mar 2", "running", False, 1),
        )
        self.assertEqual(shown[d["twin"].id], shown[d["running"].id])
        self.assertEqual(shown[d["again"].id], shown[d["running"].id][:3] + (2,))
        self.assertEqual(
            shown[d["paused"].id],
            ("Nurturing 1/4 paused — Introduction call", "paused", False, 2),
        )
        self.assertEqual(
            shown[d["tie"].id],
            ("Nurturing stopped: T tie second.", "stopped", False, 2),
        )
        self.assertEqual(shown[d["done"].id], ("Nurturing finished", "done", False, 1))
        self.assertEqual(shown[d["none"].id], ("", False, False, 0))
        self.assertEqual(
            shown[d["order"].id],
            ("Nurturing 1/3 — T call three due Mar 2", "running", False, 1),
        )
        self.assertEqual(
            shown[d["email"].id],
            ("Nurturing 3/3 — T mail two due Mar 2", "running", True, 1),
        )
        self.assertEqual(
            shown[d["moved"].id],
            ("Nurturing 0/0 — T only step due Mar 2", "running", False, 1),
        )
        self.assertEqual(
            shown[d["elsewhere"].id],
            ("Nurturing 1/1 — T only step due Mar 2", "running", False, 1),
        )

    def test_redteam_kanban_nurture_every_reader_and_language(self):
        """Each reader, in English and French, on the whole page in one batch
        (readable or not) and through web_search_read (what he may open):
        the old code's values, and the ORM's."""
        for user, lang in self._readers():
            deals = self.deals.with_user(user).with_context(lang=lang)
            self.env.invalidate_all()
            shown = nurture_shown(deals)
            self.env.invalidate_all()
            old = nurture_of_the_old_code(deals)
            self.env.invalidate_all()
            orm = nurture_through_orm(deals)
            self.assertEqual(shown, old, (user.login, lang))
            self.assertEqual(shown, orm, (user.login, lang))
            self.env.invalidate_all()
            page = deals.web_search_read(
                [("id", "in", self.deals.ids)], dict.fromkeys(NURTURE_FIELDS, {})
            )["records"]
            self.assertTrue(page, user.login)
            self.assertEqual(
                {row["id"]: tuple(row[f] for f in NURTURE_FIELDS) for row in page},
                {row["id"]: old[row["id"]] for row in page},
                (user.login, lang),
            )
        # what the rules let each one read
        self.env.invalidate_all()
        hidden = self.d["hidden"].id
        as_sally = nurture_shown(self.deals.with_user(self.salesperson))
        self.assertEqual(as_sally[hidden], ("", False, False, 0))
        self.assertTrue(as_sally[self.d["otto"].id][0])
        self.env.invalidate_all()
        as_tom = nurture_shown(self.deals.with_user(self.consultant))
        self.assertEqual(as_tom[self.d["running"].id], ("", False, False, 0))
        self.assertTrue(as_tom[self.d["unassigned"].id][0])  # rule: unassigned deals
        self.env.invalidate_all()
        in_french = nurture_shown(
            self.deals.with_user(self.manager).with_context(lang="fr_FR")
        )
        self.assertIn(
            "Appel téléphonique d'introduction", in_french[self.d["running"].id][0]
        )
        self.assertEqual(in_french[hidden][1:], ("running", False, 1))

    def test_redteam_kanban_nurture_unflushed_changes_read_first(self):
        """Enrolments and steps changed in this transaction, not flushed yet,
        then the page read for the first time: what the ORM says."""
        d = self.d
        self.env.invalidate_all()
        enrolments = {
            name: d[name].contoso_nurture_enrolment_ids
            for name in ("tie", "order", "paused")
        }
        # the earlier of the tie now starts later: it is the latest
        older = enrolments["tie"].sorted("id")[0]
        older.date_start = "2026-03-03"
        older.stop_reason = "T rewritten."
        # the cadence's order changed: T call one first, T call three last
        self.short.step_ids.filtered(lambda s: s.summary == "T call three").sequence = 9
        # the step renamed
        enrolments["order"].step_id.summary = "T renamed call"
        # the paused enrolment resumed
        enrolments["paused"].filtered(lambda e: e.state == "paused").state = "running"
        self.assertTrue(self.env._field_dirty, "the test needs unflushed values")
        shown = nurture_shown(self.deals)
        self.env.invalidate_all()
        self.assertEqual(shown, nurture_through_orm(self.deals))
        self.assertEqual(shown[d["tie"].id][0], "Nurturing stopped: T rewritten.")
        self.assertEqual(
            shown[d["order"].id][0], "Nurturing 3/3 — T renamed call due Mar 2"
        )
        self.assertEqual(
            shown[d["email"].id][0], "Nurturing 2/3 — T mail two due Mar 2"
        )
        self.assertEqual(shown[d["paused"].id][1], "running")

    def test_redteam_kanban_nurture_follows_the_cadence_edited_after_a_read(self):
        """A page read, then a manager renames the current step and reorders
        the cadence in the same transaction: the status read again says what
        the ORM says (the step's name and position)."""
        deal = self.d["order"]
        self.assertEqual(
            deal.contoso_nurture_progress, "Nurturing 1/3 — T call three due Mar 2"
        )
        step = deal.contoso_nurture_enrolment_id.step_id
        step.with_user(self.manager).write({"summary": "T renamed call", "sequence": 9})
        expected = nurture_through_orm(deal)[deal.id][0]
        self.assertEqual(expected, "Nurturing 3/3 — T renamed call due Mar 2")
        self.assertEqual(deal.contoso_nurture_progress, expected)

    def test_redteam_kanban_nurture_second_reader_in_one_transaction(self):
        """The manager reads the page, then the consultant reads it in the
        same transaction (server code switching users, a test, a shell): the
        consultant must see only what his rules let him read."""
        running = self.d["running"]
        as_maria = running.with_user(self.manager).contoso_nurture_progress
        self.assertEqual(as_maria, "Nurturing 1/4 — Introduction call due Mar 2")
        self.assertEqual(
            nurture_through_orm(running.with_user(self.consultant))[running.id],
            ("", False, False, 0),
        )
        self.assertEqual(
            nurture_shown(running.with_user(self.consultant))[running.id],
            ("", False, False, 0),
            "the consultant is shown the status computed for the manager",
        )

    def test_redteam_kanban_nurture_mixed_page_of_saved_and_edited_deals(self):
        """Saved deals and deals being edited (new records from them, and a
        brand new one) in one page, per reader: each edited card shows its
        saved deal's status."""
        picks = ("again", "paused", "email", "moved")
        picked = [self.d[name].id for name in picks]
        for user in (self.salesperson, self.manager, self.consultant):
            Lead = self.env["crm.lead"].with_user(user)
            saved = Lead.browse(self.deals.ids)
            self.env.invalidate_all()
            expected = nurture_shown(saved)
            self.env.invalidate_all()
            edited = Lead.browse()
            for name in picks:
                edited |= Lead.new(
                    {"name": "T edited"}, origin=Lead.browse(self.d[name].id)
                )
            brand_new = Lead.new({"name": "T brand new", "type": "opportunity"})
            others = saved.filtered(lambda deal: deal.id not in picked)
            page = others[:3] | edited[:2] | brand_new | others[3:] | edited[2:]
            shown = {
                deal.id: tuple(deal[fname] for fname in NURTURE_FIELDS) for deal in page
            }
            for deal in page:
                origin = deal._origin.id
                want = expected[origin] if origin else ("", False, False, 0)
                self.assertEqual(shown[deal.id], want, (user.login, origin))

    def test_redteam_kanban_nurture_a_deleted_deal_in_the_page(self):
        """A deal deleted in the transaction (its enrolments go with it),
        still in the page's recordset: the others keep their status."""
        doomed = self.d["again"]
        page = self.d["running"] | doomed | self.d["tie"]
        expected = nurture_shown(page - doomed)
        doomed.unlink()
        self.env.invalidate_all()
        shown = {
            deal.id: tuple(deal[fname] for fname in NURTURE_FIELDS) for deal in page
        }
        self.assertEqual(shown[doomed.id], ("", False, False, 0))
        self.assertEqual({k: v for k, v in shown.items() if k != doomed.id}, expected)
