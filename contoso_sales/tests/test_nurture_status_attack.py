from freezegun import freeze_time
from odoo.tests import tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestNurtureStatusAttack(ContosoCase):
    """The deal's nurturing status, read in one query, says what the ORM said:
    for each reader only the enrolments his rules let him read, on data
    written and not yet flushed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_two_teams()
        cls.company.contoso_nurture_auto_enrol = True
        with freeze_time("2026-03-02"):
            cls.deal = (
                cls.env["crm.lead"]
                .with_user(cls.salesperson)
                .create(
                    {
                        "name": "T Fabrikam HQ alarm",
                        "type": "opportunity",
                        "partner_id": cls.customer.id,
                        "team_id": cls.team.id,
                        "user_id": cls.salesperson.id,
                        "expected_revenue": 5000,
                    }
                )
            )
        cls.deal = cls.deal.with_env(cls.env)
        cls.enrolment = cls.deal.contoso_nurture_enrolment_ids
        # Tom checked the deal: he reads it (not its enrolments)
        cls.env["contoso.tech.check"].create(
            {
                "lead_id": cls.deal.id,
                "consultant_id": cls.consultant.id,
                "details": "<p>Survey</p>",
                "result": "fail",
            }
        )

    def test_status_only_from_enrolments_the_reader_reads(self):
        """A consultant reads the deals he checked, not their enrolments (he
        does not sell: crm.lead.action_contoso_nurture_start): the ORM's search
        showed him no status, the query must not either. A salesperson of the
        team reads the enrolments of its shared deals, and their status."""
        self.assertTrue(self.enrolment)
        self.assertEqual(
            self.deal.with_user(self.salesperson).contoso_nurture_progress,
            "Nurturing 1/4 — Introduction call due Mar 2",
        )
        # (a request of his own: nothing computed for Sally in cache)
        self.env.invalidate_all()
        deal = self.deal.with_user(self.consultant)
        self.assertTrue(deal.has_access("read"))
        self.assertFalse(self.enrolment.with_user(self.consultant).has_access("read"))
        self.assertFalse(deal.contoso_nurture_enrolment_ids)
        self.assertFalse(deal.contoso_nurture_progress)
        self.assertFalse(deal.contoso_nurture_state)
        self.assertFalse(deal.contoso_nurture_enrolment_id)
        self.env.invalidate_all()
        self.assertEqual(
            self.deal.with_user(self.otto).contoso_nurture_progress,
            "Nurturing 1/4 — Introduction call due Mar 2",
        )

    def test_latest_enrolment_on_unflushed_start_dates(self):
        """With no running enrolment the latest one (start date, then id) is
        shown, as the dates are now in this transaction."""
        self.enrolment._stop("T first reason.")
        with freeze_time("2026-03-05"):
            self.deal._contoso_nurture_enrol()
        second = self.deal.contoso_nurture_enrolment_ids - self.enrolment
        second._stop("T second reason.")
        self.env.flush_all()
        self.assertEqual(self.deal.contoso_nurture_enrolment_id, second)
        self.enrolment.date_start = "2026-03-09"
        self.deal.invalidate_recordset(["contoso_nurture_enrolment_id"])
        self.assertEqual(self.deal.contoso_nurture_enrolment_id, self.enrolment)
        self.assertEqual(
            self.deal.contoso_nurture_progress, "Nurturing stopped: T first reason."
        )

    def test_current_step_moved_to_another_cadence(self):
        """A step moved to another cadence is no longer counted in the
        enrolment's cadence: its position is 0 as the ORM said, and it keeps
        its name (the query dropped it: "None")."""
        other = self.env["contoso.nurture.cadence"].create({"name": "T Other"})
        self.enrolment.step_id.sudo().cadence_id = other
        edited = self.deal.new(origin=self.deal)
        self.assertEqual(
            self.deal.contoso_nurture_progress, edited.contoso_nurture_progress
        )
        self.assertIn("Introduction call", self.deal.contoso_nurture_progress)
