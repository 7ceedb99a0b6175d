"""Why (a loyalty card's match reasons) as a person reads it after the import:
the dates in his own format, and first, when a person linked or proposed
another contact than the one the import found, that he did (the reasons went
on describing the import's contact as if it were the one shown)."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import run_migration
from .datahub_common import FrenchDataHubCase
from .test_loyalty_reason_language import MEMBERS, PEOPLE


@tagged("post_install", "-at_install")
class TestLoyaltyReasonAfterThePerson(FrenchDataHubCase):
    def setUp(self):
        super().setUp()
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS, "Loyalty.csv")
        Partner = self.env["res.partner"]
        self.zoe, self.smith, self.ann = (
            Partner.search([("contoso_contact_ref", "=", ref)])
            for ref in ("C1", "C2", "C4")
        )
        self.cards = self._cards(self.data_admin)

    def _cards(self, user):
        members = (
            self.env["contoso.loyalty.member"]
            .with_user(user)
            .with_context(lang=user.lang)
        )
        return {
            m.loyalty_ref: m
            for m in members.search([("loyalty_ref", "like", "LOYID_")])
        }

    def _why(self, user, ref):
        return self._cards(user)[ref].match_reason

    def _refs(self, user, domain):
        found = (
            self.env["contoso.loyalty.member"]
            .with_user(user)
            .with_context(lang=user.lang)
            .search(domain + [("loyalty_ref", "like", "LOYID_")])
        )
        return set(found.mapped("loyalty_ref"))

    def test_dates_are_read_in_the_readers_format_and_searched_so(self):
        self.assertIn(
            "same birth date (May 6, 1980)", self._why(self.data_admin, "LOYID_1")
        )
        self.assertIn(
            "même date de naissance (6 mai 1980)",
            self._why(self.french_admin, "LOYID_1"),
        )
        # a date as each reader reads it in Why finds the card, whole or in
        # part
        for user, needle in (
            (self.french_admin, "6 mai 1980"),
            (self.french_admin, "MAI 1980"),
            (self.data_admin, "May 6, 1980"),
            (self.data_admin, "may 6"),
        ):
            self.assertEqual(
                self._refs(user, [("match_reason", "ilike", needle)]),
                {"LOYID_1"},
                needle,
            )
            self.assertNotIn(
                "LOYID_1",
                self._refs(user, [("match_reason", "not ilike", needle)]),
                needle,
            )
        # another month, or words that are not a date, find nothing
        for needle in ("June 1980", "mai 1981", "6 mayo 1980"):
            self.assertFalse(
                self._refs(self.french_admin, [("match_reason", "ilike", needle)]),
                needle,
            )
        # a date in a format Why does not show is not there to find
        self.assertFalse(
            self._refs(self.french_admin, [("match_reason", "ilike", "06/05/1980")])
        )
        # ISO, as Why showed dates before 19.0.1.4.0 (saved favourites)
        self.assertEqual(
            self._refs(self.data_admin, [("match_reason", "ilike", "1980-05-06")]),
            {"LOYID_1"},
        )
        # the database keeps ISO dates, whoever reads
        self.assertIn('"1980-05-06"', self.cards["LOYID_1"].match_reason_data)

    def test_the_contact_the_reasons_are_about_is_the_one_the_import_found(self):
        card = self.cards["LOYID_1"]
        self.assertEqual(card.partner_id, self.zoe)
        self.assertEqual(card.match_reason_partner_id, self.zoe)
        # nothing said before the reasons while the import's contact is shown
        self.assertTrue(card.match_reason.startswith("same name"), card.match_reason)
        self.assertFalse(
            self._refs(self.data_admin, [("match_reason", "ilike", "by a person")])
        )

    def test_another_contact_proposed_and_confirmed_by_a_person_is_said_first(self):
        card = self.cards["LOYID_1"]
        card.write({"partner_id": False, "candidate_partner_id": self.ann.id})
        card.action_confirm_match()
        self.assertEqual(card.partner_id, self.ann)
        english = self._why(self.data_admin, "LOYID_1")
        self.assertEqual(
            english.split("; ")[0],
            "another contact chosen by a person (the reasons below are about "
            "the contact the import found: Reasons About)",
        )
        self.assertEqual(card.match_reason_partner_id, self.zoe)
        # the import's reasons follow, unchanged
        self.assertIn("same birth date (May 6, 1980)", english)
        french = self._why(self.french_admin, "LOYID_1")
        self.assertEqual(
            french.split("; ")[0],
            "autre contact choisi par une personne (les raisons ci-dessous "
            "concernent le contact trouvé par l'import : Raisons concernant)",
        )
        # searched by these words, in either language
        self.assertEqual(
            self._refs(self.data_admin, [("match_reason", "ilike", "by a person")]),
            {"LOYID_1"},
        )
        self.assertEqual(
            self._refs(
                self.french_admin, [("match_reason", "ilike", "par une personne")]
            ),
            {"LOYID_1"},
        )
        self.assertNotIn(
            "LOYID_1",
            self._refs(self.data_admin, [("match_reason", "not ilike", "by a person")]),
        )
        # a later import leaves a decided card, and what Why says, alone
        self._import("loyalty", MEMBERS.replace(",120,", ",121,"), "Loyalty2.csv")
        self.assertEqual(self._why(self.data_admin, "LOYID_1"), english)

    def test_a_person_linking_a_card_the_import_found_nobody_for(self):
        card = self.cards["LOYID_5"]
        self.assertEqual(card.match_state, "none")
        self.assertFalse(card.match_reason_partner_id)
        card.partner_id = self.smith
        self.assertEqual(
            self._why(self.data_admin, "LOYID_5").split("; ")[0],
            "contact chosen by a person (the reasons below are the import's)",
        )

    def test_a_person_removing_the_proposed_contact(self):
        card = self.cards["LOYID_1"]
        card.action_reject_match()
        # rejected: the import's contact is still the proposal, said as before
        self.assertTrue(self._why(self.data_admin, "LOYID_1").startswith("same name"))
        card.candidate_partner_id = False
        self.assertEqual(
            self._why(self.data_admin, "LOYID_1").split("; ")[0],
            "contact removed by a person (the reasons below are about the contact "
            "the import found: Reasons About)",
        )
        # searched by its own words, which the other cards do not say
        self.assertEqual(
            self._refs(self.data_admin, [("match_reason", "ilike", "removed")]),
            {"LOYID_1"},
        )

    def test_nobody_but_an_import_sets_what_the_reasons_are_about(self):
        card = self.cards["LOYID_1"]
        for user in (self.data_admin, self.french_admin):
            with self.assertRaises(AccessError):
                card.with_user(user).write({"match_reason_partner_id": self.ann.id})
            with self.assertRaises(AccessError):
                card.with_user(user).write({"match_reason_partner_id": False})
        self.assertEqual(card.match_reason_partner_id, self.zoe)
        self.assertTrue(card.match_reason.startswith("same name"))

    def test_the_imports_contact_deleted_reads_as_the_imports_reasons(self):
        card = self.cards["LOYID_1"]
        card.write({"partner_id": False, "candidate_partner_id": self.ann.id})
        card.action_confirm_match()
        self.zoe.unlink()
        card.invalidate_recordset()
        self.assertFalse(card.match_reason_partner_id)
        # who the reasons were about is gone; Why does not say "found none"
        self.assertEqual(
            card.match_reason.split("; ")[0],
            "contact chosen by a person (the reasons below are the import's)",
        )

    def test_a_card_matched_again_describes_its_new_contact(self):
        card = self.cards["LOYID_5"]
        # ContactId C9 arrives: the contacts import matches the waiting card again
        self._import(
            "contacts",
            PEOPLE + "C9,Xavier,Quill,,xq@example.org,1970-01-01,,,,,,\r\n",
            "Contacts2.csv",
        )
        card.invalidate_recordset()
        xavier = self.env["res.partner"].search([("contoso_contact_ref", "=", "C9")])
        self.assertEqual(card.partner_id, xavier)
        self.assertEqual(card.match_reason_partner_id, xavier)
        self.assertEqual(card.match_reason, "ContactId C9 given in the loyalty file")

    def test_a_merge_of_the_contact_moves_what_the_reasons_are_about(self):
        card = self.cards["LOYID_1"]
        self.env["base.partner.merge.automatic.wizard"]._merge(
            (self.ann | self.zoe).ids, self.ann
        )
        card.invalidate_recordset()
        self.assertEqual(card.partner_id, self.ann)
        self.assertEqual(card.match_reason_partner_id, self.ann)
        # the same contact, merged: nobody chose another one
        self.assertTrue(card.match_reason.startswith("same name"), card.match_reason)

    def test_the_upgrade_takes_the_proposed_contact_as_what_the_reasons_are_about(self):
        self.env.cr.execute(
            "UPDATE contoso_loyalty_member SET match_reason_partner_id = NULL "
            "WHERE loyalty_ref LIKE 'LOYID_%%'"
        )
        run_migration(self.env.cr, "19.0.1.4.0", "19.0.1.3.0")
        self.env.invalidate_all()
        for ref, card in self.cards.items():
            self.assertEqual(
                card.match_reason_partner_id, card.candidate_partner_id, ref
            )
            self.assertNotIn("by a person", card.match_reason, ref)
