"""Red team of the partial index of the deals waiting for a check
(crm_lead_contoso_to_check_idx): made again by an upgrade, dropped with the
addon, the same deals with or without it, and crm's writes and merges."""

from odoo.tests import tagged

from . import test_tech_checks_to_do_index as screen
from .test_tech_check import TechCheckCase

INDEX = screen.INDEX


@tagged("post_install", "-at_install")
class TestDealsToCheckIndexRedTeam(TechCheckCase):
    _screen_domain = screen.TestDealsToCheckIndex._screen_domain

    def _definition(self):
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", [INDEX]
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    def _screen(self, user, use_index):
        self.env.flush_all()
        Lead = self.env["crm.lead"].with_user(user)
        domain = self._screen_domain(user)
        if use_index:
            self.env.cr.execute("SET LOCAL enable_seqscan = off")
            self.env.cr.execute("SET LOCAL enable_bitmapscan = off")
        else:
            self.env.cr.execute("SET LOCAL enable_indexscan = off")
            self.env.cr.execute("SET LOCAL enable_indexonlyscan = off")
            self.env.cr.execute("SET LOCAL enable_bitmapscan = off")
        try:
            return Lead.search(domain).ids, Lead.search_count(domain)
        finally:
            for name in ("seqscan", "bitmapscan", "indexscan", "indexonlyscan"):
                self.env.cr.execute(f"RESET enable_{name}")

    def test_an_upgrade_makes_the_index_of_a_database_without_it(self):
        # A database of the version before has no such index: what `-u`
        # runs for crm.lead (_auto_init's table objects) makes it.
        self.env.cr.execute(f"DROP INDEX {INDEX}")
        self.assertIsNone(self._definition())
        Lead = self.env["crm.lead"]
        Lead._add_sql_constraints()
        definition = self._definition()
        self.assertIn("INCLUDE (team_id, company_id, user_id, id)", definition)
        self.assertIn("tech_check_override_user_id IS NULL", definition)

    def test_the_uninstall_drops_it(self):
        # reflected as the addon's index (ir.model.constraint, type i), which
        # the uninstall drops; and it depends on the addon's own columns, which
        # the uninstall drops too (the lifecycle's leftover check only looks
        # for relations named contoso%)
        constraint = self.env["ir.model.constraint"].search([("name", "=", INDEX)])
        self.assertEqual(constraint.type, "i")
        self.assertEqual(constraint.module.name, "contoso_sales")
        self.env.cr.execute(
            """
            SELECT array_agg(a.attname::text ORDER BY a.attname)
              FROM pg_depend d
              JOIN pg_attribute a
                ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE d.objid = %s::regclass AND d.refobjsubid > 0
            """,
            [INDEX],
        )
        (columns,) = self.env.cr.fetchone()
        self.assertIn("tech_check_passed", columns)
        self.assertIn("tech_check_override_user_id", columns)

    def test_the_same_deals_with_and_without_the_index(self):
        passed = self._deal("Idx passed", 30000, "quote")
        self._log_check(passed)
        lost = self._deal("Idx lost", 30000, "quote")
        lost.action_set_lost()
        won = self._deal("Idx won", 30000, "develop")
        self._log_check(won)
        won.action_set_won()
        override = self._deal("Idx override", 35000, "develop")
        override.with_user(self.manager).tech_check_override_reason = "Known site"
        self.assertTrue(override.tech_check_override_user_id)
        lead = self.env["crm.lead"].create(
            {"name": "Idx lead", "type": "lead", "expected_revenue": 90000}
        )
        other_team = self.env["crm.team"].create({"name": "Idx team"})
        no_gate = self._deal("Idx no gate", 50000, "quote")
        no_gate.team_id = other_team
        self._deal("Idx waiting", 25000, "develop")
        for user in (self.consultant, self.manager, self.salesperson):
            with_index = self._screen(user, use_index=True)
            without = self._screen(user, use_index=False)
            self.assertEqual(with_index, without, user.login)
            self.assertNotIn(lead.id, with_index[0])
            for deal in (passed, lost, won, override, no_gate, self.small):
                self.assertNotIn(deal.id, with_index[0], (user.login, deal.name))

    def test_writes_and_merges_move_deals_in_and_out_of_it(self):
        a = self._deal("Idx merge A", 30000, "quote")
        b = self._deal("Idx merge B", 45000, "develop")
        (a | b)._merge_opportunity()
        self.env.flush_all()
        remaining = (a | b).exists()
        self.assertEqual(len(remaining), 1)
        screen, _count = self._screen(self.consultant, use_index=True)
        self.assertIn(remaining.id, screen)
        # a passed check takes it out, a bigger amount (check no longer
        # holding) puts it back in: the index follows crm's writes
        self._log_check(remaining)
        self.assertNotIn(remaining.id, self._screen(self.consultant, True)[0])
        remaining.expected_revenue = 99000
        self.assertIn(remaining.id, self._screen(self.consultant, True)[0])
