from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .test_http_portal_reseller import ContosoResellerCase

REPORT = "contoso_sales.report_installation_sheet"


@tagged("post_install", "-at_install", "contoso_http")
class TestPortalGenericPaths(ContosoResellerCase):
    """Odoo's generic routes and RPC methods, not only the addon's pages: Lea
    (Litware) and Carla attack Woodgrove's sheet, which is Carla's."""

    def test_report_routes_of_another_sheet(self):
        self.login(self.lea_user)
        for converter in ("html", "pdf", "text"):
            with self.subTest(converter=converter):
                response = self.url_open(
                    f"/report/{converter}/{REPORT}/{self.sheet.id}"
                )
                self.assertNotEqual(response.status_code, 200)
                self.assertNotIn(b"SN-CARLA", response.content)
                self.assertNotIn(b"Check the siren", response.content)

    def test_web_content_of_installer_document(self):
        url = f"/web/content/contoso.product.document/{self.installer_doc.id}/datas"
        self.login(self.carla_user)
        response = self.url_open(url)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b"Wiring diagram", response.content)
        self.login(self.remy_user)
        self.assertEqual(self.url_open(url).content, b"Wiring diagram")

    def test_generic_read_methods_on_another_sheet(self):
        self.login(self.lea_user)
        Sheet, Line = "contoso.installation.sheet", "contoso.installation.sheet.line"
        self.assertEqual(
            [r[0] for r in self.call_kw(Sheet, "name_search", [""])],
            [self.litware_sheet.id],
        )
        groups = self.call_kw(
            Line,
            "formatted_read_group",
            [[], ["serial_number"], ["__count"]],
        )
        self.assertEqual([g["serial_number"] for g in groups], ["SN-NW"])
        exported = self.call_kw(
            Line, "search_read", [[("serial_number", "=", "SN-CARLA")], ["id"]]
        )
        self.assertEqual(exported, [])
        for method, args, kwargs in (
            ("web_read", [self.sheet.ids], {"specification": {"name": {}}}),
            ("export_data", [self.sheet.ids, ["maintenance_points"]], {}),
            ("read", [self.sheet.line_ids.ids, ["serial_number"]], {}),
        ):
            model = Line if method == "read" else Sheet
            # export_data refuses earlier: portal users may not export at all.
            with (
                self.subTest(method=method),
                self.assertRaisesRegex(JsonRpcException, "AccessError|UserError"),
            ):
                self.call_kw(model, method, args, kwargs)

    def test_nested_read_reaches_no_cost(self):
        """Carla reads her own sheet; a nested spec must not reach the
        product's cost through its lines."""
        self.login(self.carla_user)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw(
                "contoso.installation.sheet",
                "web_read",
                [self.sheet.ids],
                {
                    "specification": {
                        "line_ids": {
                            "fields": {"product_id": {"fields": {"standard_price": {}}}}
                        }
                    }
                },
            )

    def test_chatter_post_on_another_or_own_sheet(self):
        before = len(self.sheet.message_ids)
        for user in (self.lea_user, self.carla_user):
            self.login(user)
            with (
                self.subTest(user=user.login),
                self.assertRaises(JsonRpcException),
            ):
                self.make_jsonrpc_request(
                    "/mail/message/post",
                    {
                        "thread_model": "contoso.installation.sheet",
                        "thread_id": self.sheet.id,
                        "post_data": {"body": "forged", "message_type": "comment"},
                    },
                )
        self.sheet.invalidate_recordset(["message_ids"])
        self.assertEqual(len(self.sheet.message_ids), before)

    def test_anonymous_gets_nothing(self):
        for url in (
            f"/my/installations/{self.sheet.id}",
            f"/my/installations/{self.sheet.id}/pdf",
            f"/report/html/{REPORT}/{self.sheet.id}",
            f"/web/content/contoso.product.document/{self.installer_doc.id}/datas",
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertNotIn(b"SN-CARLA", response.content)
                self.assertNotIn(b"Wiring diagram", response.content)

    def test_document_link_cannot_run_script_in_the_portal(self):
        """The link is rendered as an href on /my/docs: a sales manager's
        javascript: link would run in every customer's session."""
        manager = new_test_user(
            self.env,
            login="p_maria",
            groups="base.group_user,contoso_sales.group_sales_manager",
        )
        Document = self.env["contoso.product.document"].with_user(manager)
        for url in ("javascript:alert(document.cookie)", " JavaScript:x", "data:x"):
            with (
                self.subTest(url=url),
                self.assertRaisesRegex(
                    ValidationError, "must start with https:// or http://"
                ),
            ):
                Document.create(
                    {
                        "name": "Evil",
                        "product_tmpl_id": self.product.product_tmpl_id.id,
                        "doc_type": "user_manual",
                        "url": url,
                    }
                )
        self.login(self.carla_user)
        self.assertNotIn("javascript:", self.url_open("/my/docs").text)

    def _csrf(self, url):
        html = self.url_open(url).text
        marker = 'name="csrf_token" value="'
        start = html.index(marker) + len(marker)
        return html[start : html.index('"', start)]

    def test_posts_without_csrf_token_change_nothing(self):
        self.login(self.remy_user)
        for url, data in (
            (f"/my/installations/{self.sheet.id}/done", {"done": "1"}),
            (
                "/my/installations/new",
                {"date": "2026-01-05", "name": "No Token", "product_0": "1"},
            ),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url, data=data).status_code, 400)
        self.login(self.carla_user)
        self.url_open(
            "/my/contoso/callback",
            data={"subject": "order", "date": "2026-12-07", "slot": "morning"},
        )
        self.assertEqual(self.sheet.state, "draft")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "No Token")]))
        self.assertFalse(self.env["contoso.callback.request"].search([]))

    def test_customer_cannot_close_the_sheet_of_her_installation(self):
        url = f"/my/installations/{self.sheet.id}"
        self.login(self.carla_user)
        # Her sheet page has no form: the token comes from her callback form.
        token = self._csrf("/my/contoso")
        response = self.url_open(url + "/done", data={"csrf_token": token})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.sheet.state, "draft")

    def test_sheet_text_is_escaped_on_the_page_and_in_the_report(self):
        self.sheet.maintenance_points = '<script>alert("siren")</script>'
        self.login(self.carla_user)
        url = f"/my/installations/{self.sheet.id}"
        for page in (self.url_open(url), self.url_open(url + "/pdf?report_type=html")):
            with self.subTest(url=page.url):
                self.assertNotIn('<script>alert("siren")', page.text)
                self.assertIn("&lt;script&gt;", page.text)

    def test_another_resellers_order_by_id_or_forged_token(self):
        order = self.orders[self.litware]
        self.login(self.remy_user)
        for url in (
            f"/my/orders/{order.id}",
            f"/my/orders/{order.id}?access_token=forged",
            f"/my/orders/{order.id}?report_type=pdf",
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertNotIn(order.name, response.text)
                self.assertNotIn("Litware Test", response.text)

    def test_delivery_moves_give_no_cost(self):
        """Remy reads his own delivery over RPC; its moves (and their unit
        cost) stay closed."""
        picking = self.orders[self.woodgrove].picking_ids
        picking.partner_id = self.remy
        self.login(self.remy_user)
        self.assertIn(picking.id, self.call_kw("stock.picking", "search", [[]]))
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw(
                "stock.picking",
                "web_read",
                [picking.ids],
                {"specification": {"move_ids": {"fields": {"price_unit": {}}}}},
            )
        self.assertNotIn("87.65", self.url_open("/my/reseller/stock").text)
