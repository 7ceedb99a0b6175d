from odoo.tests import tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestPartnerMerge(ContosoCase):
    """Odoo's contact merge with Contoso Contact IDs (unique per person)."""

    def _people(self, *refs):
        return self.env["res.partner"].create(
            [
                {
                    "name": f"Zoe Dupont {i}",
                    "email": "zoe@example.com",
                    "contoso_contact_ref": ref,
                }
                for i, ref in enumerate(refs)
            ]
        )

    def _merge(self, partners, destination):
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(self.manager)
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({"dst_partner_id": destination.id})
        )
        self.assertEqual(wizard.partner_ids, partners)
        wizard.action_merge()

    def test_both_have_an_id_the_destination_keeps_its_own(self):
        dst, src = self._people("C1", "C2")
        purchase = self.env["contoso.purchase"].create(
            {
                "channel": "online",
                "source_ref": "W1",
                "contact_ref": "C2",
                "partner_id": src.id,
                "date": "2026-01-05",
                "amount_total": 40,
            }
        )
        self._merge(dst | src, dst)
        self.assertFalse(src.exists())
        self.assertEqual(dst.contoso_contact_ref, "C1")
        self.assertEqual(purchase.partner_id, dst)
        self.assertTrue(
            dst.message_ids.filtered(
                lambda m: (
                    "this contact keeps Contoso Contact ID C1; the merged ones had C2."
                    in m.body
                )
            )
        )

    def test_only_the_source_has_an_id_the_merged_contact_takes_it(self):
        dst, src = self._people(False, "C2")
        self._merge(dst | src, dst)
        self.assertFalse(src.exists())
        self.assertEqual(dst.contoso_contact_ref, "C2")
        self.assertEqual(
            self.env["res.partner"].search([("contoso_contact_ref", "=", "C2")]), dst
        )

    def test_merged_companys_subsidiaries_join_the_destinations_family(self):
        Partner = self.env["res.partner"]
        holding = Partner.create({"name": "Dogs Holding", "is_company": True})
        dst = Partner.create(
            {"name": "PupsRUs", "is_company": True, "parent_id": holding.id}
        )
        src = Partner.create({"name": "Pups R Us", "is_company": True})
        store = Partner.create(
            {"name": "Pups Store", "is_company": True, "parent_id": src.id}
        )
        self.assertEqual(store.contoso_family_id, src)
        self._merge(dst | src, dst)
        self.assertFalse(src.exists())
        self.assertEqual(store.parent_id, dst)
        self.assertEqual(store.contoso_family_id, holding)
        self.assertEqual(dst.contoso_family_id, holding)
