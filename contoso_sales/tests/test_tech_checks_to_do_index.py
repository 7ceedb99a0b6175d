"""The index of the deals waiting for a check serves *My Tech Checks to Do*."""

import ast

from lxml import etree
from odoo.tests import tagged

from .test_tech_check import TechCheckCase

ACTION = "contoso_sales.crm_lead_action_tech_checks_to_do"
INDEX = "crm_lead_contoso_to_check_idx"


@tagged("post_install", "-at_install")
class TestDealsToCheckIndex(TechCheckCase):
    def _screen_domain(self, user):
        """The domain the web client sends when `user` opens the action: the
        action's own and its default filter's (as bench_load does)."""
        action = self.env.ref(ACTION)
        Lead = self.env["crm.lead"].with_user(user)
        views = Lead.get_views([(action.search_view_id.id, "search")])
        search = etree.fromstring(views["views"]["search"]["arch"])
        domain = ast.literal_eval(action.domain)
        for name, value in ast.literal_eval(action.context).items():
            if name.startswith("search_default_") and value:
                name = name[len("search_default_") :]
                (node,) = search.xpath(f"//filter[@name='{name}']")
                domain += ast.literal_eval(node.get("domain"))
        return domain

    def _plan(self, user):
        Lead = self.env["crm.lead"].with_user(user)
        query = Lead._search(self._screen_domain(user))
        sql = query.select()
        self.env.flush_all()
        # The planner's estimates on a small, fresh test database can pick
        # any index of crm_lead: give it a table where, as in production, most
        # deals are not waiting for a check (won, lost or leads; rolled back
        # with the test), and its statistics.
        self.env.cr.execute(
            """
            INSERT INTO crm_lead (name, type, active, won_status, team_id,
                                  company_id, user_id, expected_revenue)
            SELECT 'Closed ' || n, 'opportunity', TRUE,
                   CASE WHEN n %% 2 = 0 THEN 'won' ELSE 'lost' END,
                   %(team)s, %(company)s, %(user)s, 30000
              FROM generate_series(1, 5000) AS n
            """,
            {
                "team": self.team.id,
                "company": self.company.id,
                "user": self.salesperson.id,
            },
        )
        self.env.cr.execute("ANALYZE crm_lead")
        for scan in ("seqscan", "bitmapscan"):
            self.env.cr.execute(f"SET LOCAL enable_{scan} = off")
        self.env.cr.execute(
            b"EXPLAIN SELECT count(*) FROM ("
            + self.env.cr.mogrify(sql.code, sql.params)
            + b") AS deals"
        )
        plan = "\n".join(line for (line,) in self.env.cr.fetchall())
        for scan in ("seqscan", "bitmapscan"):
            self.env.cr.execute(f"RESET enable_{scan}")
        return plan

    def test_the_index_is_made(self):
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", [INDEX]
        )
        (definition,) = self.env.cr.fetchone()
        for part in ("INCLUDE (team_id, company_id, user_id, id)", "won_status"):
            self.assertIn(part, definition)

    def test_the_screen_counts_the_deals_from_the_index_alone(self):
        # Its predicate is implied by what the screen and the consultants'
        # record rule ask: a change to the action's domain or the rule that
        # leaves the index unusable fails here, not only in bench_load.
        plan = self._plan(self.consultant)
        self.assertIn(f"Index Only Scan using {INDEX}", plan)

    def test_the_index_holds_the_deals_to_check_and_no_other(self):
        passed = self._deal("Passed", 30000, "quote")
        self.env["contoso.tech.check"].with_user(self.consultant).create(
            {"lead_id": passed.id, "details": "<p>OK</p>", "result": "pass"}
        )
        lost = self._deal("Lost", 30000, "quote")
        lost.action_set_lost()
        waiting = self.deal | self._deal("Waiting", 25000, "develop")
        self.env.flush_all()
        # what the index holds, read from it alone
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute("SET LOCAL enable_bitmapscan = off")
        self.env.cr.execute(
            """
            SELECT id FROM crm_lead
             WHERE active IS TRUE AND type = 'opportunity' AND won_status = 'pending'
               AND tech_check_passed IS NOT TRUE
               AND tech_check_override_user_id IS NULL
               AND expected_revenue > 20000 AND id = ANY(%s)
            """,
            [(waiting | passed | lost | self.small).ids],
        )
        self.assertEqual({row[0] for row in self.env.cr.fetchall()}, set(waiting.ids))
        screen = (
            self.env["crm.lead"]
            .with_user(self.consultant)
            .search(self._screen_domain(self.consultant))
        )
        self.assertEqual(screen & (waiting | passed | lost | self.small), waiting)
