import base64

from odoo.tests import tagged

from .test_tour_pipeline import ContosoTourCase


@tagged("post_install", "-at_install", "contoso_tour")
class TestDataHubTour(ContosoTourCase):
    def test_data_admin_imports_and_opens_customer_360(self):
        self._team_user("tour_dana", "data_admin")
        # A web purchase already waits for contact TC1: it is linked on import.
        batch = self.env["contoso.import.batch"].create(
            {
                "source": "online",
                "filename": "online.csv",
                "file": base64.b64encode(
                    b"PurchaseId,ContactId,PurchasedOn,TotalPrice,Subject\r\n"
                    b"TW1,TC1,2024-02-03,42.50,Tour doorbell\r\n"
                ),
            }
        )
        batch._process()
        self.assertEqual(batch.rows_unlinked, 1)

        self.start_tour("/odoo/crm", "contoso_datahub", login="tour_dana")

        partner = self.env["res.partner"].search([("contoso_contact_ref", "=", "TC1")])
        self.assertEqual(partner.name, "Zoé Tourdupont")
        self.assertEqual(partner.email, "zoe.tour@example.com")
        self.assertEqual(partner.contoso_spend_web, 42.5)
        imported = self.env["contoso.import.batch"].search(
            [("filename", "=", "tour_contacts.csv")]
        )
        self.assertEqual((imported.rows_created, imported.rows_failed), (1, 1))
