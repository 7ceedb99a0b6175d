"""The write's first look at which deals wait for a tech check
(`_tech_check_maybe_pending`, one query) keeps every deal the full test
(`_tech_check_pending`) keeps, and no deal it cannot keep: a salesperson's
every write skips the threshold's computation for the others."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestTechCheckPrefilter(ContosoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.contoso_tech_check_threshold = 20000
        cls.team.contoso_tech_check = True
        cls.no_checks = cls.env["crm.team"].create(
            {"name": "Test Walk-ins", "contoso_tech_check": False}
        )
        Lead = cls.env["crm.lead"]

        def deal(name, amount, **values):
            return Lead.create(
                {
                    "name": name,
                    "type": "opportunity",
                    "partner_id": cls.customer.id,
                    "user_id": cls.salesperson.id,
                    "team_id": cls.team.id,
                    "expected_revenue": amount,
                    **values,
                }
            )

        cls.below = deal("Below", 19999.99)
        cls.at = deal("At the threshold", 20000)
        cls.above = deal("Above", 20000.01)
        cls.other_team = deal("Walk-in", 50000, team_id=cls.no_checks.id)
        cls.no_team = deal("No team", 50000, team_id=False)
        cls.no_company = deal("No company", 50000, company_id=False)
        cls.deals = (
            cls.below | cls.at | cls.above | cls.other_team | cls.no_team
        ) | cls.no_company

    def test_the_first_look_keeps_every_pending_deal_and_drops_the_others(self):
        deals = self.deals.with_user(self.salesperson)
        pending = deals._tech_check_pending()
        maybe = deals._tech_check_maybe_pending()
        self.assertEqual(pending, self.above | self.no_company)
        self.assertLessEqual(pending, maybe)
        for deal in self.below | self.other_team | self.no_team:
            self.assertNotIn(deal, maybe, deal.name)

    def test_it_reads_the_values_not_yet_written_to_the_database(self):
        # raised in the cache only: the first look must see it
        self.below.expected_revenue = 30000
        self.other_team.team_id = self.team
        maybe = self.deals._tech_check_maybe_pending()
        self.assertIn(self.below, maybe)
        self.assertIn(self.other_team, maybe)

    def test_a_salesperson_still_cannot_carry_a_deal_out_of_its_checks(self):
        # The write's rule works from the first look: a pending deal may not
        # leave for a team without checks, a deal below the threshold may.
        with self.assertRaisesRegex(UserError, "needs a tech check"):
            self.above.with_user(self.salesperson).write({"team_id": self.no_checks.id})
        self.below.with_user(self.salesperson).write({"team_id": self.no_checks.id})
        self.assertEqual(self.below.team_id, self.no_checks)
