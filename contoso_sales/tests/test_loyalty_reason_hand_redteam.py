"""Red team of "Reasons About" (match_reason_partner_id) and of what Why says
first when a person chose another contact than the import's (19.0.1.4.0), and
of the dates read and searched in the reader's format: every path that
changes a card's contact, what each role may write, what a search on Why finds
against what Why shows, the upgrade, and the cost of a page of cards."""

import contextlib

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import run_migration
from .datahub_common import FrenchDataHubCase
from .test_loyalty_reason_language import MEMBERS, PEOPLE

REFS = ("LOYID_1", "LOYID_2", "LOYID_4", "LOYID_5")


@tagged("post_install", "-at_install")
class TestLoyaltyReasonHandRedTeam(FrenchDataHubCase):
    def setUp(self):
        super().setUp()
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS, "Loyalty.csv")
        self.zoe, self.smith, self.ann = (
            self._partner(ref) for ref in ("C1", "C2", "C4")
        )

    # -- helpers ---------------------------------------------------------------

    def _cards(self, user):
        Member = (
            self.env["contoso.loyalty.member"]
            .with_user(user)
            .with_context(lang=user.lang)
        )
        return {m.loyalty_ref: m for m in Member.search([("loyalty_ref", "in", REFS)])}

    def _found(self, user, operator, value):
        Member = (
            self.env["contoso.loyalty.member"]
            .with_user(user)
            .with_context(lang=user.lang)
        )
        found = Member.search(
            [("match_reason", operator, value), ("loyalty_ref", "in", REFS)]
        )
        return set(found.mapped("loyalty_ref"))

    def _assert_search_is_what_is_shown(self, user, needle):
        """ilike finds the cards whose Why, as this reader reads it, contains
        the needle; not ilike the others."""
        self.env.invalidate_all()
        shown = {
            ref: card.match_reason or "" for ref, card in self._cards(user).items()
        }
        containing = {
            ref for ref, why in shown.items() if needle.lower() in why.lower()
        }
        self.assertEqual(
            self._found(user, "ilike", needle),
            containing,
            f"ilike {needle!r} against what {user.login} reads: {shown}",
        )
        self.assertEqual(
            self._found(user, "not ilike", needle),
            set(shown) - containing,
            f"not ilike {needle!r} against what {user.login} reads: {shown}",
        )

    def _hand_cards(self):
        """LOYID_1 confirmed to Ann in place of Zoé (another contact), LOYID_2
        its proposal (John Smith) removed by a person."""
        cards = self._cards(self.data_admin)
        cards["LOYID_1"].write(
            {"partner_id": False, "candidate_partner_id": self.ann.id}
        )
        cards["LOYID_1"].action_confirm_match()
        self.assertEqual(cards["LOYID_2"].match_reason_partner_id, self.smith)
        cards["LOYID_2"].action_reject_match()
        cards["LOYID_2"].candidate_partner_id = False
        self.assertTrue(
            cards["LOYID_1"].match_reason.startswith("another contact chosen by")
        )
        self.assertTrue(cards["LOYID_2"].match_reason.startswith("contact removed by"))
        return cards

    # -- search on Why against what Why shows --------------------------------

    def test_search_by_a_person_is_what_is_shown(self):
        # held: the words all four reasons share, in both languages
        self._hand_cards()
        self._assert_search_is_what_is_shown(self.data_admin, "by a person")
        self._assert_search_is_what_is_shown(self.french_admin, "par une personne")

    def test_search_removed_finds_only_the_cards_that_say_removed(self):
        # Every hand code searched finds every card chosen by hand
        # (_ids_chosen_by_hand): "removed" finds LOYID_1, whose Why says
        # "another contact chosen by a person", and "not ilike removed" hides it.
        self._hand_cards()
        self._assert_search_is_what_is_shown(self.data_admin, "removed")
        self._assert_search_is_what_is_shown(self.french_admin, "retiré")

    def test_search_another_contact_finds_only_the_cards_that_say_it(self):
        self._hand_cards()
        self._assert_search_is_what_is_shown(self.data_admin, "another contact")
        self._assert_search_is_what_is_shown(self.data_admin, "found none")

    def test_why_names_no_contact_and_a_name_finds_nothing(self):
        # Found on d820455: Why named the import's contact ("... about Zoé
        # Dupont, found by the import"), which its search never found. Since
        # f839ceb Why names nobody (see Reasons About): the name is neither
        # shown nor found.
        self._hand_cards()
        self.assertNotIn("Zoé", self._cards(self.data_admin)["LOYID_1"].match_reason)
        self._assert_search_is_what_is_shown(self.data_admin, "Zoé Dupont")

    def test_search_a_whole_date_as_each_reader_reads_it(self):
        # a whole date as each reader reads it in Why, and its negation
        self._assert_search_is_what_is_shown(self.data_admin, "May 6, 1980")
        self._assert_search_is_what_is_shown(self.french_admin, "6 mai 1980")
        self.assertIn("LOYID_1", self._found(self.data_admin, "ilike", "May 6, 1980"))
        # the other reader's words are not what he reads: neither finds it
        self.assertNotIn("LOYID_1", self._found(self.data_admin, "ilike", "6 mai 1980"))
        self.assertNotIn(
            "LOYID_1", self._found(self.french_admin, "ilike", "May 6, 1980")
        )
        # numeric dates are not shown, so not found (05/06/1980)
        self._assert_search_is_what_is_shown(self.data_admin, "05/06/1980")

    def test_search_part_of_a_date_as_shown(self):
        # Found on d820455: Why showed "(05/06/1980)" and its parts found
        # nothing. Why shows "May 6, 1980" since 299f892: its parts find it.
        self._assert_search_is_what_is_shown(self.data_admin, "05/06")
        self._assert_search_is_what_is_shown(self.data_admin, "May 6")
        self._assert_search_is_what_is_shown(self.data_admin, "May 1980")
        self._assert_search_is_what_is_shown(self.french_admin, "mai 1980")

    def test_a_date_is_read_in_the_readers_words(self):
        # "Jan 2, 2020" for the English reader, « 1 févr. 2020 » for the
        # French one; "%" and "" are no date
        cards = self._cards(self.data_admin)
        Member = self.env["contoso.loyalty.member"]
        cards["LOYID_4"].match_reason_data = '[["dob_same",{"date":"2020-01-02"}]]'
        cards["LOYID_5"].match_reason_data = '[["dob_same",{"date":"2020-02-01"}]]'
        self.assertEqual(
            self._found(self.data_admin, "ilike", "Jan 2, 2020"), {"LOYID_4"}
        )
        self.assertEqual(
            self._found(self.french_admin, "ilike", "1 févr. 2020"), {"LOYID_5"}
        )
        self.assertNotIn(
            "LOYID_4", self._found(self.data_admin, "not ilike", "Jan 2, 2020")
        )
        # no month named: not read as a date shown
        for value in ("%", "", "  ", "99/99/2020", "1/2"):
            self.assertIsNone(
                Member.with_user(self.data_admin)._ids_by_date_shown(value), value
            )
        # a month named, but no date shown contains it
        for value in ("Jan 32", "Jan2", "Jan 2, 20201", "May 1980"):
            self.assertEqual(
                Member.with_user(self.data_admin)._ids_by_date_shown(value), [], value
            )

    def test_why_empty_is_searched_as_shown(self):
        # held: = False / != False against an empty Why, hand choice or not
        cards = self._hand_cards()
        cards["LOYID_4"].write({"partner_id": self.smith.id})
        self.env.cr.execute(
            "UPDATE contoso_loyalty_member SET match_reason_data = NULL WHERE id = %s",
            [cards["LOYID_4"].id],
        )
        self.env.invalidate_all()
        self.assertFalse(cards["LOYID_4"].match_reason)
        self.assertEqual(self._found(self.data_admin, "=", False), {"LOYID_4"})
        self.assertEqual(
            self._found(self.data_admin, "!=", False), set(REFS) - {"LOYID_4"}
        )
        self.assertNotIn(
            "LOYID_4", self._found(self.data_admin, "ilike", "by a person")
        )

    def test_codes_that_say_nothing_are_not_found_as_chosen_by_hand(self):
        # "[]" decodes to no reason: Why is empty, nothing said first; the SQL
        # of _ids_chosen_by_hand takes any non-empty text for reasons.
        cards = self._cards(self.data_admin)
        cards["LOYID_4"].write(
            {"match_reason_data": "[]", "candidate_partner_id": self.smith.id}
        )
        self.assertFalse(cards["LOYID_4"].match_reason)
        self._assert_search_is_what_is_shown(self.data_admin, "by a person")

    def test_counts_of_the_list_and_groups_match_the_search(self):
        # held: web_search_read's count and read_group on a Why filter
        self._hand_cards()
        Member = (
            self.env["contoso.loyalty.member"]
            .with_user(self.data_admin)
            .with_context(lang="en_US")
        )
        domain = [("match_reason", "ilike", "by a person"), ("loyalty_ref", "in", REFS)]
        page = Member.web_search_read(
            domain, {"loyalty_ref": {}, "match_reason": {}}, count_limit=10001
        )
        self.assertEqual(page["length"], 2)
        self.assertEqual(
            {r["loyalty_ref"] for r in page["records"]}, {"LOYID_1", "LOYID_2"}
        )
        groups = Member.read_group(domain, ["match_state"], ["match_state"])
        self.assertEqual(
            {g["match_state"]: g["match_state_count"] for g in groups},
            {"confirmed": 1, "rejected": 1},
        )

    # -- paths that change what the reasons are about -------------------------

    def test_deleting_the_imports_contact_does_not_say_the_import_found_none(self):
        # A person confirmed Ann in place of Zoé; Zoé, a duplicate, is then
        # deleted: ondelete="set null" empties Reasons About and Why claims
        # "the import found none" above reasons that describe Zoé.
        cards = self._hand_cards()
        self.zoe.unlink()
        self.env.invalidate_all()
        card = cards["LOYID_1"]
        self.assertEqual(card.partner_id, self.ann)
        self.assertIn("same birth date (May 6, 1980)", card.match_reason)
        self.assertNotIn("found none", card.match_reason)
        self.assertTrue(
            card.match_reason.startswith(
                "contact chosen by a person (the reasons below are the import's)"
            ),
            card.match_reason,
        )

    def test_archiving_the_imports_contact_keeps_it_as_what_the_reasons_are_about(
        self,
    ):
        # held
        cards = self._hand_cards()
        self.zoe.action_archive()
        self.env.invalidate_all()
        self.assertEqual(cards["LOYID_1"].match_reason_partner_id, self.zoe)
        self.assertTrue(
            cards["LOYID_1"].match_reason.startswith("another contact chosen by")
        )

    def test_merge_of_the_chosen_contact_into_the_imports(self):
        # held: merging Ann (chosen) into Zoé (found) leaves one contact:
        # nothing said first any more; the card stays confirmed to Zoé
        cards = self._hand_cards()
        self.env["base.partner.merge.automatic.wizard"]._merge(
            (self.ann | self.zoe).ids, self.zoe
        )
        self.env.invalidate_all()
        card = cards["LOYID_1"]
        self.assertEqual(card.partner_id, self.zoe)
        self.assertEqual(card.match_reason_partner_id, self.zoe)
        self.assertTrue(card.match_reason.startswith("same name"), card.match_reason)
        self.assertNotIn(
            "LOYID_1", self._found(self.data_admin, "ilike", "by a person")
        )

    def test_a_reimport_of_a_waiting_card_describes_its_new_match(self):
        # held: a person proposed Ann on the waiting card; the file changes
        # the card's e-mail, the import matches it again: Reasons About is
        # the import's new contact, nothing said first
        cards = self._cards(self.data_admin)
        card = cards["LOYID_2"]
        self.assertEqual(card.match_state, "review")
        card.candidate_partner_id = self.ann
        self.assertTrue(card.match_reason.startswith("another contact chosen by"))
        self._import(
            "loyalty",
            MEMBERS.replace(" JSmith@Example.com ", "ann@example.com"),
            "Loyalty2.csv",
        )
        self.env.invalidate_all()
        self.assertEqual(card.candidate_partner_id, self.ann)
        self.assertEqual(card.match_reason_partner_id, self.ann)
        self.assertTrue(card.match_reason.startswith("same e-mail"), card.match_reason)

    # -- who may write it -------------------------------------------------------

    def test_salesperson_cannot_write_what_the_reasons_are_about(self):
        # held
        card = self._cards(self.salesperson)["LOYID_1"]
        with self.assertRaises(AccessError):
            card.write({"match_reason_partner_id": self.ann.id})
        self.assertEqual(card.sudo().match_reason_partner_id, self.zoe)

    def test_manager_cannot_make_why_name_a_contact_the_import_never_found(self):
        # readonly=True is the views' only: a sales manager (a data
        # administrator) writes Reasons About over RPC, and Why of a card the
        # import linked to Zoé, nobody having chosen anything, reads "another
        # contact chosen by a person (the reasons below are about John Smith,
        # found by the import)".
        card = self._cards(self.manager)["LOYID_1"]
        # refused or ignored: either keeps Why true
        with contextlib.suppress(AccessError, UserError, ValidationError):
            card.write({"match_reason_partner_id": self.smith.id})
        card.invalidate_recordset()
        self.assertEqual(card.sudo().match_reason_partner_id, self.zoe)
        self.assertNotIn("John Smith", card.match_reason)

    def test_reasons_about_keeps_to_the_cards_company(self):
        # Contact and Proposed Contact are check_company; Reasons About is
        # not: a manager of A and B sets a contact of company B only on a
        # card of company A.
        company_b = self.env["res.company"].create({"name": "Contoso Hand B"})
        self.manager.company_ids = [Command.link(company_b.id)]
        bert = self.env["res.partner"].create(
            {"name": "Bert Only-B", "company_id": company_b.id}
        )
        card = self._cards(self.manager)["LOYID_1"].with_context(
            allowed_company_ids=[self.env.company.id, company_b.id]
        )
        with self.assertRaises(UserError):
            card.write({"match_reason_partner_id": bert.id})

    # -- another company ------------------------------------------------------

    def test_a_reader_who_cannot_read_the_imports_contact(self):
        # held: Zoé moved to company B after the import; the data admin of A
        # reads the card confirmed to Ann: Why neither raises nor names her
        self._hand_cards()
        company_b = self.env["res.company"].create({"name": "Contoso Hand B2"})
        self.zoe.company_id = company_b
        self.env.invalidate_all()
        why = self._cards(self.data_admin)["LOYID_1"].match_reason
        self.assertTrue(
            why.startswith(
                "another contact chosen by a person (the reasons below are about "
                "the contact the import found: Reasons About)"
            ),
            why,
        )
        self.assertNotIn("Zoé", why)

    def test_why_read_as_superuser_is_not_served_to_a_reader(self):
        # Why depends on what its reader may read (the name of the import's
        # contact) but is cached per language only: computed once as
        # superuser (any server code reading the card with sudo() earlier in
        # the request), the data admin of A then reads the name of a contact
        # of company B she cannot read.
        cards = self._hand_cards()
        company_b = self.env["res.company"].create({"name": "Contoso Hand B5"})
        self.zoe.company_id = company_b
        self.env.invalidate_all()
        card = cards["LOYID_1"].with_user(self.data_admin)
        with self.assertRaises(AccessError):
            self.zoe.with_user(self.data_admin).check_access("read")
        # Found on d820455 (the name under sudo() served to the reader).
        # Why names nobody since f839ceb: the same words for any reader.
        self.assertNotIn("Zoé", card.sudo().match_reason)
        self.assertNotIn("Zoé", card.match_reason)
        self.assertEqual(card.sudo().match_reason, card.match_reason)

    def test_a_card_of_another_company_is_not_found_by_its_hand_words(self):
        # held: _ids_chosen_by_hand reads every company's cards in SQL, the
        # search is still held to the reader's
        self._hand_cards()
        company_b = self.env["res.company"].create({"name": "Contoso Hand B3"})
        card_b = self.env["contoso.loyalty.member"].create(
            {
                "loyalty_ref": "LOYID_1",
                "name": "Zoé of B",
                "company_id": company_b.id,
                "match_reason_data": '[["name_same",{}]]',
                "match_state": "review",
            }
        )
        card_b.candidate_partner_id = self.env["res.partner"].create(
            {"name": "Bea Only-B", "company_id": company_b.id}
        )
        Member = self.env["contoso.loyalty.member"]
        self.assertIn(card_b.id, Member._ids_chosen_by_hand({"hand_none"}))
        found = Member.with_user(self.data_admin).search(
            [("match_reason", "ilike", "by a person")]
        )
        self.assertNotIn(card_b.id, found.ids)
        self.assertEqual(
            Member.with_user(self.data_admin).search_count(
                [("match_reason", "ilike", "by a person")]
            ),
            len(found),
        )

    # -- upgrade ------------------------------------------------------------------

    def test_upgrade_from_old_words_through_1_3_and_1_4_twice(self):
        # held: 19.0.1.2.0 cards (words, no codes, no Reasons About) read as
        # before after both migrations, run twice
        cards = self._hand_cards()
        self.env.flush_all()
        old = {
            cards["LOYID_2"]: "same e-mail address (jsmith@example.com)",
            cards["LOYID_4"]: "ContactId C4 given in the loyalty file",
        }
        self._store_old_words(old)
        self.env.cr.execute(
            "UPDATE contoso_loyalty_member SET match_reason_partner_id = NULL "
            "WHERE loyalty_ref IN %s",
            [REFS],
        )
        for _run in range(2):
            run_migration(self.env.cr, "19.0.1.3.0", "19.0.1.2.0")
            run_migration(self.env.cr, "19.0.1.4.0", "19.0.1.2.0")
        self.env.invalidate_all()
        self.assertEqual(cards["LOYID_4"].match_reason_partner_id, self.ann)
        self.assertEqual(cards["LOYID_4"].match_reason, old[cards["LOYID_4"]])
        # confirmed to Ann before the upgrade: Ann taken as the import's
        self.assertEqual(cards["LOYID_1"].match_reason_partner_id, self.ann)
        self.assertTrue(cards["LOYID_1"].match_reason.startswith("same name"))
        # proposal removed before the upgrade: nothing to take, nothing said
        self.assertFalse(cards["LOYID_2"].match_reason_partner_id)
        self.assertEqual(cards["LOYID_2"].match_reason, old[cards["LOYID_2"]])

    # -- cost -------------------------------------------------------------------

    def _hand_page(self, count, prefix):
        """`count` cards linked by a person to Ann whose import found one
        contact each (a contact of their own)."""
        abouts = self.env["res.partner"].create(
            [{"name": f"{prefix} About {i}"} for i in range(count)]
        )
        return self.env["contoso.loyalty.member"].create(
            [
                {
                    "loyalty_ref": f"{prefix}{i:03d}",
                    "name": f"Member {i}",
                    "partner_id": self.ann.id,
                    "candidate_partner_id": self.ann.id,
                    "match_state": "confirmed",
                    "match_reason_data": '[["dob_same",{"date":"1980-05-06"}]]',
                    "match_reason_partner_id": about.id,
                }
                for i, about in enumerate(abouts)
            ]
        )

    def _queries_to_read_why(self, cards, user):
        """The queries of Why on a page, registry caches warm (read twice)."""
        self.env.flush_all()
        page = cards.with_user(user).with_context(lang=user.lang)
        for _warm in range(2):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            whys = page.mapped("match_reason")
            count = self.env.cr.sql_log_count - before
        self.assertTrue(all(w.startswith("another contact chosen") for w in whys))
        return count

    def test_why_of_a_page_costs_the_same_for_10_or_80_cards(self):
        # held: readable contacts
        ten = self._queries_to_read_why(self._hand_page(10, "QA"), self.data_admin)
        eighty = self._queries_to_read_why(self._hand_page(80, "QB"), self.data_admin)
        self.assertEqual(eighty, ten)

    def test_why_of_a_page_of_unreadable_contacts_costs_the_same(self):
        # The contacts the import found moved to a company the reader is not
        # in: each card's display_name raises AccessError from a fetch of
        # every unreadable contact of the page, then again alone, per card.
        company_b = self.env["res.company"].create({"name": "Contoso Hand B4"})
        pages = []
        for count, prefix in ((10, "QC"), (80, "QD")):
            cards = self._hand_page(count, prefix)
            cards.match_reason_partner_id.write({"company_id": company_b.id})
            pages.append(cards)
        ten = self._queries_to_read_why(pages[0], self.data_admin)
        eighty = self._queries_to_read_why(pages[1], self.data_admin)
        self.assertEqual(eighty, ten, (ten, eighty))

    def test_search_chosen_by_hand_among_30000_cards(self):
        # held: a search on the hand words, page and count, on 30,000 cards of
        # which half were chosen by hand, within a second or two
        self.env.flush_all()
        self.env.cr.execute(
            """
            INSERT INTO contoso_loyalty_member (
                loyalty_ref, name, company_id, partner_id, candidate_partner_id,
                match_state, match_reason_data, match_reason_partner_id)
            SELECT 'PERF' || g, 'Member ' || g, %s, %s, %s, 'confirmed',
                   '[["name_same",{}]]', CASE WHEN g %% 2 = 0 THEN %s ELSE %s END
              FROM generate_series(1, 30000) g
            """,
            [self.env.company.id, self.ann.id, self.ann.id, self.zoe.id, self.ann.id],
        )
        Member = (
            self.env["contoso.loyalty.member"]
            .with_user(self.data_admin)
            .with_context(lang="en_US")
        )
        page = Member.web_search_read(
            [("match_reason", "ilike", "by a person")],
            {"loyalty_ref": {}, "match_reason": {}},
            limit=80,
            count_limit=10001,
        )
        negated = Member.search_count([("match_reason", "not ilike", "by a person")])
        # (its speed is not timed here: tests do not time)
        self.assertEqual(page["length"], 10001)
        self.assertEqual(len(page["records"]), 80)
        self.assertGreaterEqual(negated, 15000)
