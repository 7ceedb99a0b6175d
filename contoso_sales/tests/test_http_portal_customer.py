from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .portal_common import ContosoPortalCase, next_weekday


@tagged("post_install", "-at_install", "contoso_http")
class TestPortalMyContoso(ContosoPortalCase):
    def test_customer_sees_every_channel_and_only_hers(self):
        self.login(self.carla_user)
        page = self.url_open("/my/contoso")
        self.assertEqual(page.status_code, 200)
        html = page.text
        for text in (
            "Carla camera in store",
            "Carla sensor online",
            self.carla_order.name,
            "LOYID_P1",
            "340",
            "Portal Doorbell",
        ):
            self.assertIn(text, html)
        self.assertNotIn("Northwind secret kit", html)
        # the other customer's purchase amount, as the page writes amounts
        # (a bare "777" also turns up in the page's random CSRF token)
        self.assertNotIn('<span class="oe_currency_value">777.00</span>', html)
        self.assertIn('<span class="oe_currency_value">129.00</span>', html)

    def test_contact_sees_company_records_not_the_other_customer(self):
        self.login(self.dan_user)
        html = self.url_open("/my/contoso").text
        self.assertIn("Northwind secret kit", html)
        self.assertNotIn("Carla camera in store", html)
        self.assertNotIn("LOYID_P1", html)
        self.assertNotIn(self.carla_order.name, html)

    def test_home_links_my_contoso(self):
        self.login(self.carla_user)
        self.assertIn('href="/my/contoso"', self.url_open("/my/home").text)

    def test_anonymous_is_sent_to_login(self):
        page = self.url_open("/my/contoso", allow_redirects=False)
        self.assertEqual(page.status_code, 303)
        self.assertIn("/web/login", page.headers["Location"])

    def test_query_count_does_not_grow_with_history(self):
        self.login(self.carla_user)
        self.url_open("/my/contoso")  # warm the caches: templates, assets

        def queries():
            before = self.cr.sql_log_count
            self.assertEqual(self.url_open("/my/contoso").status_code, 200)
            return self.cr.sql_log_count - before

        few = queries()
        self.assertGreater(few, 0, "the count must see the page's queries")
        self.env["contoso.purchase"].create(
            [
                {
                    "channel": "online" if i % 2 else "pos",
                    "source_ref": f"BULK-{i}",
                    "partner_id": self.carla.id,
                    "date": "2025-06-01",
                    "amount_total": 10,
                }
                for i in range(1000)
            ]
        )
        self.env.flush_all()
        self.assertEqual(queries(), few)


@tagged("post_install", "-at_install", "contoso_http")
class TestPortalRpc(ContosoPortalCase):
    """What a portal user gets over JSON-RPC, whatever id he guesses."""

    def test_purchases_are_his_own_only(self):
        self.login(self.carla_user)
        rows = self.call_kw(
            "contoso.purchase", "search_read", [[]], {"fields": ["source_ref"]}
        )
        self.assertEqual(
            sorted(r["source_ref"] for r in rows), ["P-CARLA-SHOP", "P-CARLA-WEB"]
        )
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw(
                "contoso.purchase", "read", [[self.northwind_shop.id], ["amount_total"]]
            )

    def test_purchases_are_read_only(self):
        self.login(self.carla_user)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw(
                "contoso.purchase", "write", [[self.carla_shop.id], {"amount_total": 1}]
            )
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw(
                "contoso.purchase",
                "create",
                [{"channel": "pos", "source_ref": "X", "date": "2026-01-01"}],
            )
        self.assertEqual(self.carla_shop.amount_total, 129)

    def test_loyalty_members_are_closed_to_portal(self):
        self.login(self.carla_user)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw(
                "contoso.loyalty.member", "search_read", [[]], {"fields": ["points"]}
            )

    def test_callback_requests_over_rpc(self):
        request = (
            self.env["contoso.callback.request"]
            .with_user(self.dan_user)
            .sudo()
            .create(
                {
                    "partner_id": self.northwind.id,
                    "requested_by_id": self.dan.id,
                    "subject": "order",
                    "date": next_weekday(2),
                    "slot": "morning",
                    "user_id": self.salesperson.id,
                }
            )
        )
        self.login(self.carla_user)
        self.assertEqual(self.call_kw("contoso.callback.request", "search", [[]]), [])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw("contoso.callback.request", "read", [[request.id], ["note"]])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw(
                "contoso.callback.request",
                "create",
                [
                    {
                        "partner_id": self.carla.id,
                        "requested_by_id": self.carla.id,
                        "subject": "order",
                        "date": str(next_weekday(2)),
                        "slot": "morning",
                        "user_id": self.salesperson.id,
                    }
                ],
            )
        # Erin, Dan's colleague, sees the request of their company.
        self.login(self.erin_user)
        self.assertEqual(
            self.call_kw("contoso.callback.request", "search", [[]]), [request.id]
        )


@tagged("post_install", "-at_install", "contoso_http")
class TestPortalCallback(ContosoPortalCase):
    def _post(self, **values):
        return self.url_open(
            "/my/contoso/callback",
            data={"csrf_token": self.csrf_token(), **values},
        )

    def csrf_token(self):
        html = self.url_open("/my/contoso").text
        marker = 'name="csrf_token" value="'
        start = html.index(marker) + len(marker)
        return html[start : html.index('"', start)]

    def test_request_creates_activity_for_representative(self):
        day = next_weekday(2)
        self.login(self.carla_user)
        other_company = self.env["res.company"].create({"name": "Forged Co"})
        page = self._post(
            subject="product",
            date=str(day),
            slot="afternoon",
            phone="+1 555 0100",
            note="The doorbell beeps",
            # Forged fields: the controller must ignore them.
            partner_id=str(self.northwind.id),
            user_id=str(self.env.ref("base.user_admin").id),
            company_id=str(other_company.id),
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn("Your request is registered", page.text)
        request = self.env["contoso.callback.request"].search(
            [("requested_by_id", "=", self.carla.id)]
        )
        self.assertEqual(len(request), 1)
        self.assertEqual(request.partner_id, self.carla)
        self.assertEqual(request.company_id, self.env.company)
        self.assertEqual(request.user_id, self.salesperson)
        self.assertEqual(request.state, "requested")
        activity = request.activity_id
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertEqual(activity.date_deadline, day)
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )
        self.assertIn("Requested", page.text)

        activity.with_user(self.salesperson).action_feedback("Called")
        self.assertEqual(request.state, "done")
        self.assertIn("Done", self.url_open("/my/contoso").text)

    def test_bad_windows_are_refused_with_a_clear_error(self):
        self.login(self.carla_user)
        saturday = fields.Date.add(fields.Date.today(), days=1)
        while saturday.weekday() != 5:
            saturday = fields.Date.add(saturday, days=1)
        cases = [
            ({"date": "2020-01-06", "slot": "morning"}, "has already started"),
            ({"date": str(saturday), "slot": "morning"}, "is a weekend day"),
            ({"date": "not a date", "slot": "morning"}, "Pick a day"),
            ({"date": str(next_weekday(2)), "slot": "midnight"}, "time window"),
            ({"date": str(next_weekday(40))}, "days ahead"),
        ]
        for values, error in cases:
            values = {"subject": "order", "slot": "morning", **values}
            with self.subTest(values=values):
                page = self._post(**values)
                self.assertIn(error, page.text)
        self.assertFalse(self.env["contoso.callback.request"].search([]))

    def test_note_reaches_the_back_office_as_text_not_markup(self):
        self.login(self.carla_user)
        self._post(
            subject="other",
            date=str(next_weekday(2)),
            slot="morning",
            note='<b>URGENT</b> <a href="https://evil.example/login">Click here</a>'
            '<img src="https://evil.example/pixel.png">',
        )
        request = self.env["contoso.callback.request"].search(
            [("partner_id", "=", self.carla.id)]
        )
        note = str(request.activity_id.note)
        self.assertIn("&lt;b&gt;URGENT", note)
        for markup in ("<b>", "<img", ">Click here</a>"):
            with self.subTest(markup=markup):
                self.assertNotIn(markup, note)

    def test_a_customer_cannot_flood_his_representative(self):
        """Three open requests at most: the fourth post is refused with a
        message, and no fourth activity lands on the representative's list."""
        self.login(self.dan_user)
        for attempt in range(5):
            page = self._post(
                subject="order", date=str(next_weekday(2)), slot="afternoon"
            )
            with self.subTest(attempt=attempt):
                self.assertEqual(page.status_code, 200)
        self.assertIn("already has 3 open callback requests", page.text)
        requests = self.env["contoso.callback.request"].search(
            [("partner_id", "=", self.northwind.id)]
        )
        self.assertEqual(len(requests), 3)
        self.assertEqual(len(requests.activity_id), 3)
        # Erin, of the same company, is refused too; done requests free a place.
        requests[0].action_done()
        self.login(self.erin_user)
        self._post(subject="order", date=str(next_weekday(3)), slot="morning")
        self.assertEqual(
            self.env["contoso.callback.request"].search_count(
                [("partner_id", "=", self.northwind.id)]
            ),
            4,
        )
