from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .portal_common import ContosoPortalCase


class ContosoResellerCase(ContosoPortalCase):
    """Two reseller companies with a portal user each, on top of the two
    customers of ContosoPortalCase."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.woodgrove = Partner.create(
            {"name": "Woodgrove Test", "is_company": True, "contoso_reseller": True}
        )
        cls.litware = Partner.create(
            {"name": "Litware Test", "is_company": True, "contoso_reseller": True}
        )
        cls.remy = Partner.create({"name": "Remy Test", "parent_id": cls.woodgrove.id})
        cls.lea = Partner.create({"name": "Lea Test", "parent_id": cls.litware.id})
        cls.remy_user = cls._portal_user("p_remy", cls.remy)
        cls.lea_user = cls._portal_user("p_lea", cls.lea)
        cls.product.write(
            {
                "contoso_sold_to_resellers": True,
                "is_storable": True,
                "standard_price": 87.65,
                "default_code": "PDB-1",
            }
        )
        cls.hidden_product = cls.env["product.product"].create(
            {"name": "Internal Spare", "is_storable": True}
        )
        stock = cls.env.ref("stock.stock_location_stock")
        cls.env["stock.quant"]._update_available_quantity(cls.product, stock, 42)
        cls.orders = {}
        for reseller, qty in ((cls.woodgrove, 3), (cls.litware, 5)):
            order = cls.env["sale.order"].create(
                {
                    "partner_id": reseller.id,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": cls.product.id,
                                "product_uom_qty": qty,
                                "price_unit": 150,
                            },
                        )
                    ],
                }
            )
            order.action_confirm()
            cls.orders[reseller] = order
        cls.orders[cls.woodgrove].picking_ids.carrier_tracking_ref = "1ZWOODGROVE"
        cls.orders[cls.litware].picking_ids.carrier_tracking_ref = "1ZLITWARE"
        cls.sheet = cls.env["contoso.installation.sheet"].create(
            {
                "reseller_id": cls.woodgrove.id,
                "customer_id": cls.carla.id,
                "line_ids": [
                    (0, 0, {"product_id": cls.product.id, "serial_number": "SN-CARLA"})
                ],
                "maintenance_points": "Check the siren",
            }
        )
        cls.litware_sheet = cls.env["contoso.installation.sheet"].create(
            {
                "reseller_id": cls.litware.id,
                "customer_id": cls.northwind.id,
                "line_ids": [
                    (0, 0, {"product_id": cls.product.id, "serial_number": "SN-NW"})
                ],
            }
        )
        cls.doc = cls.env["contoso.product.document"].create(
            {
                "name": "Doorbell manual",
                "product_tmpl_id": cls.product.product_tmpl_id.id,
                "doc_type": "user_manual",
                "url": "https://example.com/manual",
            }
        )
        cls.installer_doc = cls.env["contoso.product.document"].create(
            {
                "name": "Wiring for installers",
                "product_tmpl_id": cls.product.product_tmpl_id.id,
                "doc_type": "installer_sheet",
                "datas": "V2lyaW5nIGRpYWdyYW0=",
                "filename": "wiring.txt",
            }
        )
        cls.env["contoso.failure.code"].create(
            {
                "product_tmpl_id": cls.product.product_tmpl_id.id,
                "code": "E07",
                "symptom": "No power",
                "resolution": "Check the transformer",
                "technician_required": True,
            }
        )


@tagged("post_install", "-at_install", "contoso_http")
class TestResellerPages(ContosoResellerCase):
    def test_orders_show_deliveries_and_tracking_of_his_company_only(self):
        self.login(self.remy_user)
        page = self.url_open("/my/reseller/orders")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.orders[self.woodgrove].name, page.text)
        self.assertIn("1ZWOODGROVE", page.text)
        self.assertIn("To come", page.text)
        self.assertNotIn(self.orders[self.litware].name, page.text)
        self.assertNotIn("1ZLITWARE", page.text)

    def test_stock_shows_band_or_quantity_never_cost(self):
        self.login(self.remy_user)
        page = self.url_open("/my/reseller/stock")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Portal Doorbell", page.text)
        self.assertNotIn("Internal Spare", page.text)
        self.assertNotIn("87.65", page.text)
        self.assertIn("In stock", page.text)
        self.env.company.contoso_reseller_stock_display = "quantity"
        free = int(self.product.free_qty)
        self.assertIn(f">{free}<", self.url_open("/my/reseller/stock").text)
        self.env.company.contoso_reseller_low_stock = 50
        self.assertIn("Low", self.url_open("/my/reseller/stock").text)

    def test_next_receipt_date(self):
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.env.ref("stock.picking_type_in").id,
                "scheduled_date": fields.Datetime.add(fields.Datetime.now(), days=9),
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product.id,
                            "product_uom_qty": 10,
                            "location_id": self.env.ref(
                                "stock.stock_location_suppliers"
                            ).id,
                            "location_dest_id": self.env.ref(
                                "stock.stock_location_stock"
                            ).id,
                        },
                    )
                ],
            }
        )
        receipt.action_confirm()
        self.login(self.remy_user)
        self.env.user.lang = "en_US"
        day = receipt.move_ids.date.date()
        self.assertIn(
            day.strftime("%m/%d/%Y"), self.url_open("/my/reseller/stock").text
        )

    def test_customers_get_404_on_reseller_pages(self):
        self.login(self.carla_user)
        for url in (
            "/my/reseller/orders",
            "/my/reseller/stock",
            "/my/installations/new",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url).status_code, 404)

    def test_anonymous_is_sent_to_login(self):
        for url in (
            "/my/reseller/orders",
            "/my/reseller/stock",
            "/my/docs",
            f"/my/installations/{self.sheet.id}",
            f"/my/installations/{self.sheet.id}/pdf",
            f"/my/docs/{self.installer_doc.id}/file",
        ):
            with self.subTest(url=url):
                page = self.url_open(url, allow_redirects=False)
                self.assertEqual(page.status_code, 303)
                self.assertIn("/web/login", page.headers["Location"])

    def test_docs_installer_sheets_for_resellers_only(self):
        self.login(self.remy_user)
        page = self.url_open("/my/docs").text
        for text in ("Doorbell manual", "Wiring for installers", "E07", "Must come"):
            self.assertIn(text, page)
        file = self.url_open(f"/my/docs/{self.installer_doc.id}/file")
        self.assertEqual(file.status_code, 200)
        self.assertEqual(file.content, b"Wiring diagram")
        # Carla owns the doorbell (her order): she gets its manual, not the
        # installer sheet, even by its id.
        self.login(self.carla_user)
        page = self.url_open("/my/docs").text
        self.assertIn("Doorbell manual", page)
        self.assertIn("E07", page)
        self.assertNotIn("Wiring for installers", page)
        self.assertEqual(
            self.url_open(f"/my/docs/{self.installer_doc.id}/file").status_code, 404
        )

    def test_sheet_pages_for_its_reseller_and_its_customer_only(self):
        url = f"/my/installations/{self.sheet.id}"
        for user, status in (
            (self.remy_user, 200),
            (self.carla_user, 200),
            (self.lea_user, 404),
            (self.dan_user, 404),
        ):
            with self.subTest(user=user.login):
                self.login(user)
                self.assertEqual(self.url_open(url).status_code, status)
                self.assertEqual(
                    self.url_open(url + "/pdf?report_type=html").status_code, status
                )
        self.login(self.carla_user)
        self.assertIn("SN-CARLA", self.url_open(url).text)
        self.assertIn(self.sheet.name, self.url_open("/my/installations").text)
        self.assertEqual(self.url_open("/my/installations/999999").status_code, 404)

    def test_pdf_route_downloads_the_sheet(self):
        self.login(self.carla_user)
        page = self.url_open(f"/my/installations/{self.sheet.id}/pdf?download=true")
        self.assertEqual(page.status_code, 200)
        self.assertIn(
            f"Installation_sheet_{self.sheet.name.replace('/', '_')}.pdf",
            page.headers["Content-Disposition"],
        )

    def test_pdf_report_renders(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "contoso_sales.action_report_installation_sheet", self.sheet.ids
            )[0]
            .decode()
        )
        self.assertIn("SN-CARLA", html)
        self.assertIn("Check the siren", html)
        self.assertIn("Carla Portal", html)


@tagged("post_install", "-at_install", "contoso_http")
class TestResellerSheetForm(ContosoResellerCase):
    def _csrf(self, url):
        html = self.url_open(url).text
        marker = 'name="csrf_token" value="'
        start = html.index(marker) + len(marker)
        return html[start : html.index('"', start)]

    def _post(self, url, form_url=None, **values):
        token = self._csrf(form_url or url)
        return self.url_open(url, data={"csrf_token": token, **values})

    def test_new_customer_sheet_with_forged_fields(self):
        self.login(self.remy_user)
        page = self._post(
            "/my/installations/new",
            date=str(fields.Date.today()),
            name="Nina New",
            city="Tacoma",
            product_0=str(self.product.id),
            serial_0="SN-NINA-1",
            maintenance_points="Yearly check",
            # Forged: another reseller, another state, a company.
            reseller_id=str(self.litware.id),
            state="done",
            company_id="999",
        )
        self.assertEqual(page.status_code, 200)
        sheet = self.env["contoso.installation.sheet"].search(
            [("line_ids.serial_number", "=", "SN-NINA-1")]
        )
        self.assertEqual(sheet.reseller_id, self.woodgrove)
        self.assertEqual(sheet.state, "draft")
        self.assertEqual(sheet.company_id, self.env.company)
        self.assertEqual(sheet.customer_id.name, "Nina New")
        self.assertEqual(sheet.customer_id.city, "Tacoma")
        self.assertIn("SN-NINA-1", page.text)
        # Lea, of another reseller, cannot close it; Remy can.
        self.login(self.lea_user)
        page = self._post(f"/my/installations/{sheet.id}/done", "/my/installations/new")
        self.assertEqual(page.status_code, 404)
        self.assertEqual(sheet.state, "draft")
        self.login(self.remy_user)
        self._post(
            f"/my/installations/{sheet.id}/done", f"/my/installations/{sheet.id}"
        )
        self.assertEqual(sheet.state, "done")

    def test_refused_values_create_nothing(self):
        self.login(self.remy_user)
        cases = [
            ({"customer_id": str(self.northwind.id)}, "pick one of your customers"),
            (
                {
                    "customer_id": str(self.carla.id),
                    "product_0": str(self.hidden_product.id),
                },
                "pick a product of the list",
            ),
            ({"name": ""}, "enter the customer&#39;s name"),
            ({"product_0": ""}, "Add at least one installed product"),
            ({"date": "2999-01-01"}, "cannot be in the future"),
            (
                {"product_0": "", "serial_0": "SN-X"},
                "pick the product of serial number",
            ),
        ]
        before = self.env["contoso.installation.sheet"].search_count([])
        partners = self.env["res.partner"].search_count([])
        for values, error in cases:
            values = {
                "date": str(fields.Date.today()),
                "name": "Someone",
                "product_0": str(self.product.id),
                **values,
            }
            with self.subTest(values=values):
                page = self._post("/my/installations/new", **values)
                self.assertIn(error, page.text)
        self.assertEqual(
            self.env["contoso.installation.sheet"].search_count([]), before
        )
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

    def test_known_customer_of_his_own_sheets(self):
        self.login(self.remy_user)
        form = self.url_open("/my/installations/new").text
        self.assertIn("Carla Portal", form)
        self.assertNotIn("Northwind", form)
        self._post(
            "/my/installations/new",
            date=str(fields.Date.today()),
            customer_id=str(self.carla.id),
            product_0=str(self.product.id),
            serial_0="SN-CARLA-2",
        )
        self.assertEqual(
            self.env["contoso.installation.sheet"]
            .search([("line_ids.serial_number", "=", "SN-CARLA-2")])
            .customer_id,
            self.carla,
        )


@tagged("post_install", "-at_install", "contoso_http")
class TestResellerRpc(ContosoResellerCase):
    def test_sheets_over_rpc(self):
        self.login(self.lea_user)
        self.assertEqual(
            self.call_kw("contoso.installation.sheet", "search", [[]]),
            [self.litware_sheet.id],
        )
        for method, args in (
            ("read", [[self.sheet.id], ["maintenance_points"]]),
            ("write", [[self.litware_sheet.id], {"reseller_id": self.woodgrove.id}]),
            ("create", [{"reseller_id": self.litware.id, "customer_id": self.lea.id}]),
            ("unlink", [[self.litware_sheet.id]]),
        ):
            with (
                self.subTest(method=method),
                self.assertRaisesRegex(JsonRpcException, "AccessError"),
            ):
                self.call_kw("contoso.installation.sheet", method, args)
        self.assertEqual(
            self.call_kw(
                "contoso.installation.sheet.line",
                "search_read",
                [[]],
                {"fields": ["serial_number"]},
            ),
            [{"id": self.litware_sheet.line_ids.id, "serial_number": "SN-NW"}],
        )
        # Dan, customer of Litware's sheet, sees it too; Carla does not.
        self.login(self.carla_user)
        self.assertEqual(
            self.call_kw("contoso.installation.sheet", "search", [[]]), [self.sheet.id]
        )

    def test_portal_writes_are_refused_before_any_business_rule(self):
        """Carla reads the sheet of her installation, and may change none of it:
        she gets an access error whatever the state of the sheet."""
        self.sheet.action_done()
        self.login(self.carla_user)
        for model, record in (
            ("contoso.installation.sheet", self.sheet),
            ("contoso.installation.sheet.line", self.sheet.line_ids),
        ):
            with self.subTest(model=model):
                with self.assertRaises(JsonRpcException) as caught:
                    self.call_kw(model, "write", [record.ids, {"quantity": 2}])
                self.assertIn("AccessError", str(caught.exception))
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw(
                "contoso.installation.sheet",
                "create",
                [{"reseller_id": self.woodgrove.id, "customer_id": self.carla.id}],
            )
        self.assertEqual(self.sheet.line_ids.quantity, 1)

    def test_documentation_over_rpc(self):
        self.login(self.carla_user)
        self.assertEqual(
            self.call_kw("contoso.product.document", "search", [[]]), [self.doc.id]
        )
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw("contoso.failure.code", "write", [[1], {"code": "X"}])
        self.login(self.remy_user)
        self.assertEqual(
            sorted(self.call_kw("contoso.product.document", "search", [[]])),
            sorted([self.doc.id, self.installer_doc.id]),
        )

    def test_no_cost_or_stock_over_rpc(self):
        self.login(self.remy_user)
        # Odoo's own portal rule: only deliveries addressed to himself.
        self.assertNotIn(
            self.orders[self.litware].picking_ids.id,
            self.call_kw("stock.picking", "search", [[]]),
        )
        for model, method, args in (
            ("product.product", "read", [[self.product.id], ["standard_price"]]),
            ("stock.quant", "search_read", [[]]),
            ("stock.move", "search_read", [[]]),
        ):
            with (
                self.subTest(model=model),
                self.assertRaisesRegex(JsonRpcException, "AccessError"),
            ):
                self.call_kw(model, method, args)


@tagged("post_install", "-at_install", "contoso_http")
class TestResellerBackOffice(ContosoResellerCase):
    def test_sheet_count_on_customer_and_frozen_when_done(self):
        self.assertEqual(self.carla.contoso_installation_sheet_count, 1)
        self.sheet.action_done()
        with self.assertRaisesRegex(UserError, "is done"):
            self.sheet.maintenance_points = "Changed"
        with self.assertRaisesRegex(UserError, "is done"):
            self.sheet.line_ids.serial_number = "Changed"

    def test_salesperson_cannot_reopen_a_done_sheet_over_rpc(self):
        """A done sheet was left with the customer: setting it back to draft
        over RPC, then editing it, must not rewrite what the customer holds."""
        self.sheet.action_done()
        self.login(self.salesperson)
        with self.assertRaisesRegex(JsonRpcException, "UserError"):
            self.call_kw(
                "contoso.installation.sheet",
                "write",
                [self.sheet.ids, {"state": "draft"}],
            )
        self.assertEqual(self.sheet.state, "done")
        self.assertEqual(self.sheet.line_ids.serial_number, "SN-CARLA")

    def test_reseller_must_be_flagged(self):
        with self.assertRaisesRegex(ValidationError, "is not a Contoso reseller"):
            self.env["contoso.installation.sheet"].create(
                {"reseller_id": self.carla.id, "customer_id": self.dan.id}
            )
