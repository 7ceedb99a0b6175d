from freezegun import freeze_time
from odoo import fields
from odoo.exceptions import ValidationError

from .common import ContosoCase
from .portal_common import next_weekday


class TestCallbackRequest(ContosoCase):
    """The rules of a callback request hold on every path, not only the form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.user_id = cls.salesperson
        cls.Request = cls.env["contoso.callback.request"]

    def _request(self, **values):
        return self.Request.create(
            {
                "partner_id": self.customer.id,
                "requested_by_id": self.customer.id,
                "subject": "order",
                "date": next_weekday(2),
                "slot": "morning",
                "user_id": self.Request._representative(self.customer).id,
                **values,
            }
        )

    def test_activity_for_the_representative_due_that_day(self):
        day = next_weekday(3)
        request = self._request(date=day)
        self.assertEqual(request.user_id, self.salesperson)
        self.assertEqual(request.activity_id.user_id, self.salesperson)
        self.assertEqual(request.activity_id.date_deadline, day)
        self.assertEqual(request.activity_id.res_id, request.id)

    def test_representative_falls_back_to_the_team_leader(self):
        self.customer.user_id = False
        self.team.user_id = self.manager
        self.assertEqual(self.Request._representative(self.customer), self.manager)
        contact = self.env["res.partner"].create(
            {"name": "Contact", "parent_id": self.customer.id}
        )
        self.customer.user_id = self.salesperson
        self.assertEqual(self.Request._representative(contact), self.salesperson)

    def test_window_must_be_future_working_day_within_a_month(self):
        saturday = fields.Date.add(fields.Date.today(), days=1)
        while saturday.weekday() != 5:
            saturday = fields.Date.add(saturday, days=1)
        cases = [
            ("2020-01-06", "has already started"),
            (saturday, "is a weekend day"),
            (next_weekday(40), "more than 30 days ahead"),
        ]
        for day, error in cases:
            with self.subTest(day=day), self.assertRaises(ValidationError) as caught:
                self._request(date=day)
            self.assertIn(error, str(caught.exception))
        self.assertFalse(self.Request.search([]))

    def test_overdue_when_not_done_by_its_day(self):
        day = next_weekday(2)
        request = self._request(date=day)
        self.assertFalse(request.is_overdue)
        with freeze_time(fields.Date.add(day, days=1)):
            request.invalidate_recordset(["is_overdue"])
            self.assertTrue(request.is_overdue)
            self.assertEqual(self.Request.search([("is_overdue", "=", True)]), request)
            self.assertFalse(self.Request.search([("is_overdue", "=", False)]))
            request.with_user(self.salesperson).action_done()
            self.assertEqual(request.state, "done")
            # Odoo archives or deletes a done activity: none is left to do.
            self.assertFalse(request.activity_id.filtered("active"))
            self.assertFalse(self.Request.search([("is_overdue", "=", True)]))

    def test_activity_done_marks_the_request_done(self):
        request = self._request()
        request.activity_id.with_user(self.salesperson).action_feedback("Called")
        self.assertEqual(request.state, "done")
        self.assertEqual(request.date_done, fields.Date.today())

    def test_the_request_waiting_on_an_activity_is_found_by_an_index(self):
        """Every activity marked done or deleted, of any model, looks up the
        request waiting on it: by an index, not by reading every request."""
        self.env.cr.execute(
            """
            SELECT indexdef FROM pg_indexes
             WHERE tablename = 'contoso_callback_request'
            """
        )
        definitions = [row[0] for row in self.env.cr.fetchall()]
        self.assertTrue(
            any("(activity_id)" in definition for definition in definitions),
            definitions,
        )

    def test_salesperson_sees_only_the_callbacks_he_makes(self):
        mine = self._request()
        others = self._request(user_id=self.manager.id)
        Request = self.Request.with_user(self.salesperson)
        self.assertEqual(Request.search([]), mine)
        self.assertEqual(self.Request.with_user(self.manager).search([]), mine | others)
