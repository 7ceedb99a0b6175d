"""Red team: marking an activity done finds, in one query, the nurturing
enrolment and the callback request waiting on it; each case below is one the
two ORM searches it replaced handled."""

from datetime import date

from freezegun import freeze_time
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestMarkDoneRedTeam(ContosoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.contoso_nurture_auto_enrol = True
        cls.other_sales = new_test_user(
            cls.env,
            login="t_rt5_otto",
            name="Other Otto",
            groups="base.group_user,contoso_sales.group_salesperson",
        )
        cls.other_company = cls.env["res.company"].create({"name": "Contoso BE"})
        cls.both = [cls.company.id, cls.other_company.id]
        cls.salesperson.write({"company_ids": [(4, cls.other_company.id)]})

    def _deal(self, name="Fabrikam HQ alarm"):
        return (
            self.env["crm.lead"]
            .with_user(self.salesperson)
            .create(
                {
                    "name": name,
                    "type": "opportunity",
                    "partner_id": self.customer.id,
                    "team_id": self.team.id,
                    "user_id": self.salesperson.id,
                    "stage_id": self.stages["qualify"].id,
                }
            )
        )

    def _request(self, user=None, company=None):
        return self.env["contoso.callback.request"].create(
            {
                "partner_id": self.customer.id,
                "requested_by_id": self.customer.id,
                "subject": "order",
                "date": date(2026, 3, 4),
                "slot": "morning",
                "user_id": (user or self.salesperson).id,
                "company_id": (company or self.company).id,
            }
        )

    def _step(self, deal):
        enrolment = deal.contoso_nurture_enrolment_ids
        return enrolment.state, enrolment.step_id.summary, len(enrolment.line_ids)

    # -- states and the cache ---------------------------------------------------

    def test_pause_still_in_cache_is_seen(self):
        """An enrolment paused in this transaction, not yet written to the
        database, keeping its activity: marking that activity done must not move
        it (the query flushes the state first)."""
        with freeze_time("2026-03-02"):
            deal = self._deal()
            enrolment = deal.contoso_nurture_enrolment_ids
            activity = enrolment.activity_id
            enrolment.state = "paused"
            activity.with_user(self.salesperson).action_feedback("done")
            self.assertEqual(self._step(deal), ("paused", "Introduction call", 0))

    def test_request_closed_in_cache_keeps_its_date(self):
        with freeze_time("2026-03-02"):
            request = self._request()
            request.state = "done"
            request.date_done = date(2026, 3, 1)
            request.activity_id.with_user(self.salesperson).action_feedback()
            self.assertEqual(request.date_done, date(2026, 3, 1))

    def test_request_created_and_done_at_once(self):
        """The request's activity link is still only in the cache when its
        activity is done in the same transaction: the query must see it."""
        with freeze_time("2026-03-02"):
            request = self._request()
            request.activity_id.with_user(self.salesperson).action_feedback()
            self.assertEqual(
                (request.state, request.date_done), ("done", date(2026, 3, 2))
            )

    def test_stopped_enrolment_keeping_its_activity_does_not_move(self):
        with freeze_time("2026-03-02"):
            deal = self._deal()
            enrolment = deal.contoso_nurture_enrolment_ids
            enrolment.write({"state": "stopped"})
            enrolment.activity_id.with_user(self.salesperson).action_feedback()
            self.assertEqual(self._step(deal), ("stopped", "Introduction call", 0))
            self.assertFalse(deal.activity_ids)

    # -- the ways to mark done ----------------------------------------------------

    def test_done_and_schedule_next_moves_the_step(self):
        with freeze_time("2026-03-02"):
            deal = self._deal()
            activity = deal.contoso_nurture_enrolment_ids.activity_id
            activity.with_user(self.salesperson).action_feedback_schedule_next("ok")
            self.assertEqual(self._step(deal), ("running", "Information email", 1))

    def test_mail_action_done_on_a_done_activity_moves_nothing(self):
        with freeze_time("2026-03-02"):
            deal = self._deal()
            activity = deal.contoso_nurture_enrolment_ids.activity_id
            activity.with_user(self.salesperson).action_done()
            activity.with_user(self.salesperson).action_done()
            self.assertEqual(self._step(deal), ("running", "Information email", 1))

    def test_archive_or_delete_pauses_not_moves(self):
        with freeze_time("2026-03-02"):
            archived, deleted = self._deal(), self._deal("Kept HQ alarm")
            archived.contoso_nurture_enrolment_ids.activity_id.with_user(
                self.salesperson
            ).action_archive()
            deleted.contoso_nurture_enrolment_ids.activity_id.with_user(
                self.salesperson
            ).unlink()
            self.assertEqual(self._step(archived), ("paused", "Introduction call", 0))
            self.assertEqual(self._step(deleted), ("paused", "Introduction call", 0))

    # -- roles and companies ------------------------------------------------------

    def test_consultant_cannot_do_a_salespersons_step(self):
        with freeze_time("2026-03-02"):
            deal = self._deal()
            activity = deal.contoso_nurture_enrolment_ids.activity_id
            with self.assertRaises(AccessError):
                activity.with_user(self.consultant).action_feedback()
            self.env.invalidate_all(flush=False)
            self.assertEqual(self._step(deal), ("running", "Introduction call", 0))
            self.assertTrue(activity.active)

    def test_assignee_who_cannot_read_the_request_marks_it_done(self):
        """The request is Otto's; its activity was handed to Sally, who cannot
        read the request: done by her, the request is done all the same."""
        with freeze_time("2026-03-02"):
            request = self._request(user=self.other_sales)
            request.activity_id.user_id = self.salesperson
            self.assertFalse(request.with_user(self.salesperson).has_access("read"))
            request.activity_id.with_user(self.salesperson).action_feedback()
            self.assertEqual(request.state, "done")

    def test_two_companies_done_in_one_call(self):
        with freeze_time("2026-03-02"):
            deal = self._deal()
            here = self._request()
            there = self._request(company=self.other_company)
            activities = (
                deal.contoso_nurture_enrolment_ids.activity_id
                | here.activity_id
                | there.activity_id
            )
            activities.with_user(self.salesperson).with_context(
                allowed_company_ids=self.both
            ).action_feedback()
            self.assertEqual((here.state, there.state), ("done", "done"))
            self.assertEqual(self._step(deal), ("running", "Information email", 1))
