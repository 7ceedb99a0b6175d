from odoo.tests import tagged

from .portal_common import ContosoPortalCase
from .test_tour_pipeline import ContosoTourCase


@tagged("post_install", "-at_install", "contoso_tour")
class TestPortalTours(ContosoPortalCase, ContosoTourCase):
    """Carla and Remy use their portals in a real browser, in English and
    French."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Purchase = cls.env["contoso.purchase"]
        Purchase.create(
            [
                {
                    "channel": "pos",
                    "source_ref": "T-SHOP",
                    "partner_id": cls.carla.id,
                    "date": "2026-03-01",
                    "amount_total": 129,
                    "subject": "Tour camera in store",
                },
                {
                    "channel": "online",
                    "source_ref": "T-WEB",
                    "partner_id": cls.carla.id,
                    "date": "2026-03-02",
                    "amount_total": 39,
                    "subject": "Tour sensor online",
                },
            ]
        )
        cls.carla_card.loyalty_ref = "LOYID_T1"
        cls.woodgrove = cls.env["res.partner"].create(
            {"name": "Tour Woodgrove", "is_company": True, "contoso_reseller": True}
        )
        cls.remy = cls.env["res.partner"].create(
            {"name": "Tour Remy", "parent_id": cls.woodgrove.id}
        )
        cls.remy_user = cls._portal_user("p_remy", cls.remy)
        product = cls.env["product.product"].create(
            {
                "name": "Tour Doorbell",
                "is_storable": True,
                "contoso_sold_to_resellers": True,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            product, cls.env.ref("stock.stock_location_stock"), 50
        )
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.woodgrove.id,
                "order_line": [(0, 0, {"product_id": product.id, "price_unit": 150})],
            }
        )
        order.action_confirm()
        order.picking_ids.carrier_tracking_ref = "1ZTOUR"
        # The browser logs in with the login as password.
        for user in (cls.carla_user, cls.remy_user):
            user.password = user.login

    def _french(self, *users):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["portal", "contoso_sales"], ["fr_FR"], overwrite=True
        )
        for user in users:
            user.lang = "fr_FR"

    def _tour(self, tour, user):
        self.start_tour("/my", tour, login=user.login)

    def test_customer_portal(self):
        self._tour("contoso_portal_customer", self.carla_user)
        request = self.env["contoso.callback.request"].search(
            [("partner_id", "=", self.carla.id)]
        )
        self.assertEqual(request.subject, "product")
        self.assertEqual(request.slot, "afternoon")
        self.assertEqual(request.activity_id.user_id, self.salesperson)

    def test_customer_portal_fr(self):
        self._french(self.carla_user)
        self._tour("contoso_portal_customer_fr", self.carla_user)
        self.assertTrue(
            self.env["contoso.callback.request"].search(
                [("partner_id", "=", self.carla.id)]
            )
        )

    def test_reseller_extranet(self):
        self._tour("contoso_portal_reseller", self.remy_user)
        sheet = self.env["contoso.installation.sheet"].search(
            [("reseller_id", "=", self.woodgrove.id)]
        )
        self.assertEqual(sheet.state, "done")
        self.assertEqual(sheet.customer_id.name, "Tour New Customer")
        self.assertEqual(sheet.line_ids.serial_number, "SN-TOUR-1")

    def test_reseller_extranet_fr(self):
        self._french(self.remy_user)
        self._tour("contoso_portal_reseller_fr", self.remy_user)
        self.assertEqual(
            self.env["contoso.installation.sheet"]
            .search([("reseller_id", "=", self.woodgrove.id)])
            .state,
            "done",
        )
