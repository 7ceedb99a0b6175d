from datetime import date

from freezegun import freeze_time
from lxml import etree
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import ContosoCase, run_migration


@tagged("post_install", "-at_install")
class TestNurture(ContosoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.contoso_nurture_auto_enrol = True
        cls.cadence = cls.env.ref("contoso_sales.nurture_cadence_corporate")
        cls.steps = cls.cadence.step_ids
        cls.contact = cls.env["res.partner"].create(
            {"name": "Fiona Fabrikam", "parent_id": cls.customer.id}
        )
        cls.individual = cls.env["res.partner"].create({"name": "Ivan Individual"})
        cls.other_sales = cls.env["res.users"].create(
            {
                "login": "t_other_sales",
                "name": "Other Sales",
                "group_ids": [(4, cls.env.ref("contoso_sales.group_salesperson").id)],
            }
        )

    def _deal(self, partner=None, user=None, name="Fabrikam HQ alarm"):
        return (
            self.env["crm.lead"]
            .with_user(user or self.salesperson)
            .create(
                {
                    "name": name,
                    "type": "opportunity",
                    "partner_id": (partner or self.customer).id,
                    "team_id": self.team.id,
                    "user_id": (user or self.salesperson).id,
                    "stage_id": self.stages["qualify"].id,
                }
            )
        )

    def _enrolment(self, deal):
        return deal.contoso_nurture_enrolment_ids

    def _done(self, deal):
        deal.contoso_nurture_enrolment_ids.activity_id.action_feedback()

    def _current(self, deal):
        enrolment = self._enrolment(deal)
        return enrolment.step_id.summary, enrolment.date_due, enrolment.activity_id

    def test_activities_done_together_move_what_waits_on_each_of_them(self):
        """Activities of several models marked done in one call: every running
        enrolment and open callback request waiting on one of them follows, and
        nothing else (one query over both tables finds them)."""
        with freeze_time("2026-03-02"):
            moved, kept = self._deal(), self._deal(name="Kept HQ alarm")
            Request = self.env["contoso.callback.request"]
            values = {
                "partner_id": self.customer.id,
                "requested_by_id": self.customer.id,
                "subject": "order",
                "date": date(2026, 3, 4),
                "slot": "morning",
                "user_id": self.salesperson.id,
            }
            waiting, untouched, closed = Request.create([values] * 3)
            # closed before its activity was done: it keeps its own date
            closed.write({"state": "done", "date_done": date(2026, 3, 1)})
            todo = self.env["mail.activity"].create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                    "res_id": kept.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "summary": "Unrelated to-do",
                    "user_id": self.salesperson.id,
                }
            )
            activities = (
                self._enrolment(moved).activity_id
                | waiting.activity_id
                | closed.activity_id
                | todo
            )
            activities.with_user(self.salesperson).action_feedback("Done")
            self.assertEqual(self._current(moved)[0], "Information email")
            self.assertEqual(
                self._current(kept)[:2], ("Introduction call", date(2026, 3, 2))
            )
            self.assertEqual(
                (waiting.state, waiting.date_done), ("done", date(2026, 3, 2))
            )
            self.assertEqual(untouched.state, "requested")
            self.assertEqual(closed.date_done, date(2026, 3, 1))
            self.assertFalse(activities.filtered("active"))

    # -- the whole cadence ----------------------------------------------------

    def test_walk_whole_cadence(self):
        with freeze_time("2026-03-02"):
            deal = self._deal()
            summary, due, activity = self._current(deal)
            self.assertEqual((summary, due), ("Introduction call", date(2026, 3, 2)))
            self.assertEqual(activity.user_id, self.salesperson)
            self.assertEqual(
                deal.activity_ids.activity_type_id,
                self.env.ref("contoso_sales.mail_activity_type_nurture_intro_call"),
            )
            self.assertEqual(
                deal.contoso_nurture_progress,
                "Nurturing 1/4 — Introduction call due Mar 2",
            )
            self._done(deal)
            summary, due, _activity = self._current(deal)
            self.assertEqual((summary, due), ("Information email", date(2026, 3, 3)))
            self.assertEqual(len(deal.activity_ids), 1, "only the current step")
        with freeze_time("2026-03-04"):  # one day late
            self._done(deal)
            summary, due, _activity = self._current(deal)
            self.assertEqual((summary, due), ("Check-in email", date(2026, 3, 7)))
            self.assertEqual(
                deal.contoso_nurture_progress,
                "Nurturing 3/4 — Check-in email due Mar 7",
            )
        with freeze_time("2026-03-07"):
            self._done(deal)
            summary, due, _activity = self._current(deal)
            self.assertEqual(
                (summary, due), ("Schedule appointment call", date(2026, 3, 9))
            )
            self._done(deal)
        enrolment = self._enrolment(deal)
        self.assertEqual(enrolment.state, "done")
        self.assertFalse(deal.activity_ids)
        self.assertEqual(
            enrolment.line_ids.mapped("date_done"),
            [date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 7), date(2026, 3, 7)],
        )
        self.assertEqual(deal.contoso_nurture_progress, "Nurturing finished")

    def test_status_of_many_deals_in_a_few_queries(self):
        """The nurturing status (the deal form's banner) reads the deals'
        enrolments and their cadences' steps once for all the deals, whatever
        their number and state, and says the same as step by step."""
        with freeze_time("2026-03-02"):
            deals = self.env["crm.lead"].concat(
                *(self._deal(name=f"Fabrikam alarm {n}") for n in range(5))
            )
            _running, second, paused, stopped, finished = deals
            self._done(second)
            self._enrolment(paused).action_pause()
            self._enrolment(stopped)._stop("the customer moved.")
            for _step in self.steps:
                self._done(finished)
            deals |= self._deal(partner=self.individual, name="Ivan's alarm")
        as_sally = deals.with_user(self.salesperson)
        # Sally's rules and language are cached, as in her session; the deals,
        # enrolments and steps are read again.
        self.env.invalidate_all()
        as_sally.mapped("contoso_nurture_progress")
        for model in ("crm.lead", "contoso.nurture.enrolment", "contoso.nurture.step"):
            self.env[model].invalidate_model()
        # the deals, then their enrolments with what the status shows of their
        # steps (one query)
        with self.assertQueryCount(2):
            progress = as_sally.mapped("contoso_nurture_progress")
        self.assertEqual(
            progress,
            [
                "Nurturing 1/4 — Introduction call due Mar 2",
                "Nurturing 2/4 — Information email due Mar 3",
                "Nurturing 1/4 paused — Introduction call",
                "Nurturing stopped: the customer moved.",
                "Nurturing finished",
                "",
            ],
        )
        self.assertEqual(
            as_sally.contoso_nurture_enrolment_ids.sorted("id").mapped("step_number"),
            [1, 2, 1, 1, 0],
        )
        self.assertEqual(
            as_sally.mapped("contoso_nurture_is_email"),
            [False, True, False, False, False, False],
        )

    def test_status_follows_step_order_and_reader_language(self):
        """The status line numbers a step by the cadence's order (sequence, then
        id) as it is now, names it in the reader's language (English when the
        step has no translation), and a deal being edited in a form says the
        same as the saved deal."""
        self.env["res.lang"]._activate_lang("fr_FR")
        with freeze_time("2026-03-02"):
            deal = self._deal()
            self._done(deal)
        second = self._enrolment(deal).step_id.sudo()
        self.assertEqual(
            deal.contoso_nurture_progress,
            "Nurturing 2/4 — Information email due Mar 3",
        )
        # the current step moved first, written in this transaction (not flushed)
        second.sequence = min(self.steps.mapped("sequence")) - 1
        # (a request reads the deal afresh; the status does not depend on the
        # steps' order, so this transaction's cached line is dropped by hand)
        deal.invalidate_recordset(["contoso_nurture_progress"])
        self.assertEqual(
            deal.contoso_nurture_progress,
            "Nurturing 1/4 — Information email due Mar 3",
        )
        second.with_context(lang="fr_FR").summary = "Courriel d'information"
        deal.invalidate_recordset(["contoso_nurture_progress"])
        sophie = new_test_user(
            self.env,
            login="t_sophie_nurture",
            groups="sales_team.group_sale_salesman_all_leads",
            lang="fr_FR",
        )
        as_sophie = deal.with_user(sophie).with_context(lang="fr_FR")
        # the line itself is translated by the module's French (loaded or not
        # in this database): its step and date are Sophie's
        self.assertIn("1/4", as_sophie.contoso_nurture_progress)
        self.assertIn("Courriel d'information", as_sophie.contoso_nurture_progress)
        self.assertIn("3 mars", as_sophie.contoso_nurture_progress)
        first = self.steps.sorted("id")[0]
        self.assertEqual(first.with_context(lang="fr_FR").summary, "Introduction call")
        # a deal being edited in a form (a new record with the deal as origin)
        edited = deal.new(origin=deal)
        self.assertEqual(
            edited.contoso_nurture_progress,
            "Nurturing 1/4 — Information email due Mar 3",
        )
        self.assertEqual(edited.contoso_nurture_state, "running")
        self.assertTrue(edited.contoso_nurture_is_email)
        self.assertTrue(deal.contoso_nurture_is_email)
        self.assertEqual(deal.contoso_nurture_enrolment_id, self._enrolment(deal))

    def test_spec_dates(self):
        with freeze_time("2026-03-02"):  # day 0
            deal = self._deal()
            self._done(deal)
            self.assertEqual(self._enrolment(deal).date_due, date(2026, 3, 3))
        with freeze_time("2026-03-04"):  # done day 2
            self._done(deal)
            self.assertEqual(self._enrolment(deal).date_due, date(2026, 3, 7))
        with freeze_time("2026-03-07"):  # done day 5
            self._done(deal)
            self.assertEqual(self._enrolment(deal).date_due, date(2026, 3, 9))

    def test_email_step_sent_from_composer(self):
        with freeze_time("2026-03-02"):
            deal = self._deal()
            self._done(deal)
            action = deal.action_contoso_nurture_send_email()
            composer = Form(
                self.env[action["res_model"]]
                .with_user(self.salesperson)
                .with_context(**action["context"])
            )
            self.assertIn("Contoso Home Security", composer.subject)
            self.assertIn("Alarm systems", composer.body)
            composer.save().action_send_mail()
            summary, due, _activity = self._current(deal)
            self.assertEqual((summary, due), ("Check-in email", date(2026, 3, 5)))

    def test_auto_send_cron(self):
        self.company.contoso_nurture_auto_send = True
        with freeze_time("2026-03-02"):
            deal = self._deal()
            self._done(deal)
        with freeze_time("2026-03-03"):
            self.env["contoso.nurture.enrolment"]._cron_send_due_emails()
            self.assertEqual(self._enrolment(deal).step_id.summary, "Check-in email")
            self.assertTrue(
                deal.message_ids.filtered(
                    lambda m: "Contoso Home Security for" in (m.subject or "")
                )
            )

    # -- who is enrolled ------------------------------------------------------

    def test_corporate_only(self):
        company_deal = self._deal()
        contact_deal = self._deal(self.contact, name="Contact deal")
        self.assertEqual(self._enrolment(company_deal).state, "running")
        self.assertEqual(self._enrolment(contact_deal).partner_id, self.contact)
        individual_deal = self._deal(self.individual, name="Home alarm")
        self.assertFalse(individual_deal.contoso_nurture_enrolment_ids)
        with self.assertRaises(UserError) as caught:
            individual_deal.action_contoso_nurture_start()
        self.assertEqual(
            str(caught.exception),
            "Deal 'Home alarm' cannot start nurturing: customer 'Ivan Individual' "
            "is not a corporate account. Nurturing applies to companies and "
            "contacts of a company; set the contact's company first.",
        )
        with self.assertRaises(ValidationError) as caught:
            self.env["contoso.nurture.enrolment"].with_user(self.salesperson).create(
                {
                    "lead_id": individual_deal.id,
                    "cadence_id": self.cadence.id,
                    "partner_id": self.individual.id,
                }
            )
        self.assertIn("is not a corporate account", str(caught.exception))
        self.assertFalse(individual_deal.contoso_nurture_enrolment_ids)

    def test_no_duplicate(self):
        deal = self._deal()
        deal.action_contoso_nurture_start()
        deal.action_contoso_nurture_start()
        self.assertEqual(len(deal.contoso_nurture_enrolment_ids), 1)
        self.assertEqual(len(deal.activity_ids), 1)

    def test_auto_enrol_setting_and_assignment(self):
        self.company.contoso_nurture_auto_enrol = False
        deal = self._deal()
        self.assertFalse(deal.contoso_nurture_enrolment_ids)
        self.company.contoso_nurture_auto_enrol = True
        lead = self.env["crm.lead"].create(
            {"name": "Unassigned", "partner_id": self.customer.id, "user_id": False}
        )
        self.assertFalse(lead.contoso_nurture_enrolment_ids)
        lead.user_id = self.salesperson
        self.assertEqual(lead.contoso_nurture_enrolment_ids.state, "running")

    def test_auto_enrol_only_on_nurturing_teams(self):
        other_team = self.env["crm.team"].create({"name": "Resellers"})
        self.assertFalse(other_team.contoso_nurture)
        deal = self.env["crm.lead"].create(
            {
                "name": "Reseller deal",
                "type": "opportunity",
                "partner_id": self.customer.id,
                "team_id": other_team.id,
                "user_id": self.salesperson.id,
            }
        )
        self.assertFalse(deal.contoso_nurture_enrolment_ids)
        # by hand it starts anyway
        deal.action_contoso_nurture_start()
        self.assertEqual(deal.contoso_nurture_enrolment_ids.state, "running")
        # a team switched on enrols its new corporate deals
        other_team.contoso_nurture = True
        second = deal.copy({"name": "Reseller deal 2"})
        self.assertEqual(second.team_id, other_team)
        self.assertEqual(second.contoso_nurture_enrolment_ids.state, "running")

    # -- exits ------------------------------------------------------------------

    def test_closed_deal_cannot_start(self):
        """A won or archived deal cannot start (or restart) its cadence."""
        deal = self._deal()
        deal.with_user(self.salesperson).action_set_won()
        with self.assertRaises(ValidationError) as caught:
            deal.with_user(self.salesperson).action_contoso_nurture_start()
        self.assertIn("is closed (won, lost or archived)", str(caught.exception))
        lost = self._deal(name="Lost alarm")
        lost.with_user(self.salesperson).action_archive()
        with self.assertRaises(ValidationError):
            lost.with_user(self.salesperson).action_contoso_nurture_start()
        self.assertFalse(
            (deal | lost).contoso_nurture_enrolment_ids.filtered(
                lambda e: e.state in ("running", "paused")
            )
        )

    def test_upgrade_stops_cadences_of_closed_deals(self):
        """Before the constraint, a won deal could be enrolled again: the
        upgrade to 19.0.1.1.0 stops what such a database still runs."""
        deal = self._deal()
        deal.with_user(self.salesperson).action_set_won()
        enrolment = self._enrolment(deal)
        open_deal = self._deal(name="Open alarm")
        # As the old code left it, past the constraint.
        self.env.cr.execute(
            "UPDATE contoso_nurture_enrolment SET state = 'running' WHERE id = %s",
            [enrolment.id],
        )
        enrolment.invalidate_recordset()
        run_migration(self.env.cr, "19.0.1.1.0", "19.0.1.0.0")
        enrolment.invalidate_recordset()
        self.assertEqual(enrolment.state, "stopped")
        self.assertEqual(enrolment.stop_reason, "the deal was won.")
        self.assertEqual(self._enrolment(open_deal).state, "running")

    def test_stops_when_won(self):
        deal = self._deal()
        deal.with_user(self.salesperson).action_set_won()
        enrolment = self._enrolment(deal)
        self.assertEqual(enrolment.state, "stopped")
        self.assertEqual(enrolment.stop_reason, "the deal was won.")
        self.assertFalse(deal.activity_ids)
        self.assertIn("Nurturing stopped: the deal was won.", deal.message_ids[0].body)

    def test_stops_when_lost_or_archived(self):
        lost = self._deal()
        lost.with_user(self.salesperson).action_set_lost()
        self.assertEqual(self._enrolment(lost).state, "stopped")
        self.assertEqual(self._enrolment(lost).stop_reason, "the deal was lost.")
        archived = self._deal(name="Archived")
        archived.probability = 30
        archived.action_archive()
        self.assertEqual(
            self._enrolment(archived).stop_reason, "the deal was archived."
        )

    def test_lost_deal_with_a_probability_says_lost(self):
        """Odoo's Lost button archives the deal before it writes the lost
        probability and reason: the cadence must still say it was lost, and
        why, not that the deal was archived."""
        deal = self._deal()
        deal.probability = 30
        reason = self.env["crm.lost.reason"].create({"name": "Went elsewhere"})
        self.env["crm.lead.lost"].with_user(self.salesperson).create(
            {"lead_ids": [(6, 0, deal.ids)], "lost_reason_id": reason.id}
        ).action_lost_reason_apply()
        enrolment = self._enrolment(deal)
        self.assertEqual(enrolment.state, "stopped")
        self.assertEqual(enrolment.stop_reason, "the deal was lost (Went elsewhere).")
        stops = deal.message_ids.filtered(lambda m: "Nurturing stopped" in m.body)
        self.assertEqual(len(stops), 1)

    def test_stops_on_customer_reply(self):
        deal = self._deal(self.contact)
        deal.message_post(
            body="Thanks, we have a question.",
            author_id=self.contact.id,
            message_type="email",
        )
        enrolment = self._enrolment(deal)
        self.assertEqual(enrolment.state, "stopped")
        self.assertEqual(enrolment.stop_reason, "Fiona Fabrikam replied by email.")

    def test_own_note_does_not_stop(self):
        deal = self._deal()
        deal.with_user(self.salesperson).message_post(
            body="Called, no answer.", message_type="comment"
        )
        self.assertEqual(self._enrolment(deal).state, "running")

    def test_pause_resume(self):
        with freeze_time("2026-03-02"):
            deal = self._deal().with_user(self.salesperson)
            deal.action_contoso_nurture_pause()
            self.assertEqual(self._enrolment(deal).state, "paused")
            self.assertFalse(deal.activity_ids)
        with freeze_time("2026-03-10"):
            deal.action_contoso_nurture_resume()
            summary, due, activity = self._current(deal)
            self.assertEqual((summary, due), ("Introduction call", date(2026, 3, 10)))
            self.assertTrue(activity)

    # -- access ---------------------------------------------------------------

    def test_salesperson_sees_own_only(self):
        mine = self._deal()
        theirs = self._deal(user=self.other_sales, name="Other deal")
        Enrolment = self.env["contoso.nurture.enrolment"].with_user(self.salesperson)
        self.assertEqual(
            Enrolment.search([("lead_id", "in", (mine | theirs).ids)]).lead_id, mine
        )
        with self.assertRaises(AccessError):
            self._enrolment(theirs).with_user(self.salesperson).action_pause()
        self.assertEqual(self._enrolment(theirs).state, "running")
        manager_view = self.env["contoso.nurture.enrolment"].with_user(self.manager)
        self.assertEqual(
            len(manager_view.search([("lead_id", "in", (mine | theirs).ids)])), 2
        )

    def test_salesperson_cannot_edit_cadence(self):
        with self.assertRaises(AccessError):
            self.cadence.with_user(self.salesperson).name = "Mine"
        self.cadence.with_user(self.manager).step_ids[1].delay_days = 2

    # -- edges ----------------------------------------------------------------

    def _emails(self, deal, subject="Contoso Home Security for"):
        return deal.message_ids.filtered(lambda m: subject in (m.subject or ""))

    def test_cancelled_step_pauses_and_its_email_goes_out_once(self):
        self.company.contoso_nurture_auto_send = True
        Enrolment = self.env["contoso.nurture.enrolment"]
        with freeze_time("2026-03-02"):
            deal = self._deal()
            self._done(deal)
        with freeze_time("2026-03-03"):
            # Sally cancels the information email's activity in the chatter
            deal.activity_ids.with_user(self.salesperson).unlink()
            enrolment = self._enrolment(deal)
            self.assertEqual(enrolment.state, "paused")
            self.assertEqual(enrolment.step_id.summary, "Information email")
            self.assertIn(
                "Nurturing paused: the activity of step 'Information email' was "
                "cancelled by Test Sally.",
                deal.message_ids[0].body,
            )
            Enrolment._cron_send_due_emails()
            Enrolment._cron_send_due_emails()
            self.assertFalse(self._emails(deal))
        with freeze_time("2026-03-04"):
            deal.with_user(self.salesperson).action_contoso_nurture_resume()
            summary, due, activity = self._current(deal)
            self.assertEqual((summary, due), ("Information email", date(2026, 3, 4)))
            self.assertTrue(activity)
            Enrolment._cron_send_due_emails()
            Enrolment._cron_send_due_emails()
        with freeze_time("2026-03-05"):
            Enrolment._cron_send_due_emails()
        self.assertEqual(len(self._emails(deal)), 1)
        self.assertEqual(self._enrolment(deal).step_id.summary, "Check-in email")

    def test_archiving_the_step_activity_pauses_like_cancelling_it(self):
        # Odoo 19 keeps done activities archived: Sally archives the step's
        # activity over RPC (action_archive) instead of doing or cancelling it.
        self.company.contoso_nurture_auto_send = True
        Enrolment = self.env["contoso.nurture.enrolment"]
        with freeze_time("2026-03-02"):
            deal = self._deal()
            self._done(deal)
        with freeze_time("2026-03-03"):
            deal.activity_ids.with_user(self.salesperson).action_archive()
            enrolment = self._enrolment(deal)
            self.assertEqual(enrolment.state, "paused")
            self.assertFalse(enrolment.activity_id)
            self.assertIn(
                "Nurturing paused: the activity of step 'Information email' was "
                "cancelled by Test Sally.",
                deal.message_ids[0].body,
            )
            Enrolment._cron_send_due_emails()
            self.assertFalse(self._emails(deal))
        with freeze_time("2026-03-04"):
            deal.with_user(self.salesperson).action_contoso_nurture_resume()
            Enrolment._cron_send_due_emails()
            Enrolment._cron_send_due_emails()
        self.assertEqual(len(self._emails(deal)), 1)
        self.assertEqual(self._enrolment(deal).step_id.summary, "Check-in email")

    def test_an_enrolment_cannot_take_the_activity_of_another_deal(self):
        # Sally points her enrolment at the step activity of a colleague's
        # deal she cannot read: the daily job would mark it done as superuser.
        self.company.contoso_nurture_auto_send = True
        with freeze_time("2026-03-02"):
            mine = self._deal()
            theirs = self._deal(user=self.other_sales, name="Other HQ alarm")
            self._done(mine)
        # their introduction call, a step the daily job never does itself
        their_activity = self._enrolment(theirs).activity_id
        with freeze_time("2026-03-03"):
            with self.assertRaises(ValidationError):
                self._enrolment(mine).with_user(self.salesperson).write(
                    {"activity_id": their_activity.id}
                )
            self.env["contoso.nurture.enrolment"]._cron_send_due_emails()
        self.assertTrue(their_activity.exists() and their_activity.active)
        self.assertEqual(self._enrolment(theirs).activity_id, their_activity)
        self.assertEqual(len(self._emails(mine)), 1)

    def test_resume_without_due_date(self):
        with freeze_time("2026-03-02"):
            deal = self._deal().with_user(self.salesperson)
            deal.action_contoso_nurture_pause()
            self._enrolment(deal).sudo().date_due = False
        with freeze_time("2026-03-06"):
            deal.action_contoso_nurture_resume()
            summary, due, activity = self._current(deal)
            self.assertEqual((summary, due), ("Introduction call", date(2026, 3, 6)))
            self.assertEqual(activity.date_deadline, date(2026, 3, 6))

    def test_deleting_a_step_does_not_restart_the_cadence(self):
        with freeze_time("2026-03-02"):
            deal = self._deal()
            paused = self._deal(name="Paused deal")
            self._done(deal)
            self._done(paused)
            paused.with_user(self.salesperson).action_contoso_nurture_pause()
            information = self._enrolment(deal).step_id
            self.assertEqual(information.summary, "Information email")
            information.with_user(self.manager).unlink()
            summary, due, activity = self._current(deal)
            self.assertEqual((summary, due), ("Check-in email", date(2026, 3, 3)))
            self.assertEqual(activity.summary, "Check-in email")
            self.assertEqual(len(deal.activity_ids), 1)
            self.assertEqual(self._enrolment(paused).state, "paused")
            self.assertEqual(self._enrolment(paused).step_id.summary, "Check-in email")
            self._done(deal)
            self.assertEqual(
                self._enrolment(deal).step_id.summary, "Schedule appointment call"
            )

    def test_one_failing_enrolment_does_not_stop_the_cron(self):
        self.company.contoso_nurture_auto_send = True
        employee = self.env["res.users"].create(
            {"login": "t_no_sales", "name": "No Sales", "group_ids": []}
        )
        with freeze_time("2026-03-02"):
            good = self._deal(name="Good deal")
            bad = self._deal(name="Bad deal")
            self._done(good)
            self._done(bad)
            # the bad deal's step is assigned to someone who cannot open it:
            # sending in their name fails
            self._enrolment(bad).activity_id.user_id = employee
        with (
            freeze_time("2026-03-03"),
            self.assertLogs(
                "odoo.addons.contoso_sales.models.contoso_nurture_enrolment", "ERROR"
            ) as logs,
        ):
            self.env["contoso.nurture.enrolment"]._cron_send_due_emails()
        self.assertIn(f"Nurturing email of deal {bad.id}", logs.output[0])
        self.assertEqual(self._enrolment(good).step_id.summary, "Check-in email")
        self.assertEqual(len(self._emails(good)), 1)
        self.assertEqual(self._enrolment(bad).step_id.summary, "Information email")
        self.assertFalse(self._emails(bad))

    def test_deal_form_reads_what_the_addon_adds_in_few_queries(self):
        """The deal form as Sally's web client asks for it (every field of the
        form view): what the addon adds to crm's form costs a few queries of
        its own; the nurturing history is one click away (the Nurturing
        button, its count read with the status), the tech-check count and the
        quotation iterations come from the checks and orders the form reads
        anyway."""
        with freeze_time("2026-03-02"):
            deal = self._deal()
        self.env["sale.order"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "opportunity_id": deal.id,
                    "user_id": self.salesperson.id,
                }
                for _n in range(2)
            ]
        )
        Lead = self.env["crm.lead"].with_user(self.salesperson)
        views = Lead.get_views([(False, "form")])
        fields_of = views["models"]["crm.lead"]["fields"]
        arch = etree.fromstring(views["views"]["form"]["arch"])
        spec = {}
        for node in arch.iter("field"):
            name = node.get("name")
            if name not in fields_of or node.getparent().tag in ("list", "kanban"):
                continue
            # as the web client: a related record's name unless always hidden
            shown = node.get("invisible") not in ("True", "1")
            relational = fields_of[name]["type"] in ("many2one", "many2many")
            spec[name] = (
                {"fields": {"display_name": {}}} if relational and shown else {}
            )
        ours = ("contoso_", "tech_check", "deal_line", "expected_revenue_manual")
        addon = {name: spec.pop(name) for name in list(spec) if name.startswith(ours)}
        self.assertIn("contoso_nurture_count", addon)
        self.assertNotIn("contoso_nurture_enrolment_ids", addon)
        # Sally's rules cached as in her session; the records read again
        self.env.invalidate_all()
        Lead.browse(deal.id).web_read(spec | addon)
        for model in self.env.registry.models:
            self.env[model].invalidate_model()
        Lead.browse(deal.id).web_read(spec)
        # the deal's own columns the addon adds (read with crm's in one query
        # by the real form), the deal lines, the tech checks, the nurturing
        # status with its count (the stage bar's stages: a domain on the team
        # the form reads anyway)
        with self.assertQueryCount(4):
            (values,) = Lead.browse(deal.id).web_read(addon)
        self.assertEqual(values["contoso_nurture_count"], 1)
        self.assertEqual(values["contoso_quote_iteration_count"], 2)
        self.assertEqual(values["tech_check_count"], 0)
        action = Lead.browse(deal.id).action_contoso_nurture_history()
        self.assertEqual(
            self.env["contoso.nurture.enrolment"]
            .with_user(self.salesperson)
            .search(action["domain"]),
            self._enrolment(deal),
        )
