"""Red team of the loyalty match reasons stored as codes (match_reason_data)
and read in each reader's language (match_reason, computed): every path that
sets a match, what a data administrator may store there by hand, what the UI
can still search, sort or group on, and the migration of odd old words."""

import ast
import json

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..datahub.matching import REASON_TEMPLATES, describe, encode, parse
from .common import run_migration
from .datahub_common import CONTACTS, LOYALTY, FrenchDataHubCase

PEOPLE = (
    CONTACTS
    + "C1,Zoé,Dupont,,zoe.dupont@example.com,1980-05-06,,,,,,\r\n"
    + "C2,John,Smith,,jsmith@example.com,1975-05-06,,,,,,\r\n"
)
MEMBERS = (
    LOYALTY
    + 'LOYID_R1,"Dupont, Zoe",,1980-05-06,,120,\r\n'
    + "LOYID_R2,Jon Smith, JSmith@Example.com ,,,50,\r\n"
    + "LOYID_R3,Xavier Quill,xq@example.org,,,0,C9\r\n"
)
# Words the import wrote before the codes (19.0.1.2.0), odd ones included.
OLD_WORDS = [
    # an e-mail address with "; " inside (quoted local part)
    'same e-mail address ("a; b"@example.com); name 100% similar',
    # percent signs and what looks like a placeholder, written by hand
    "checked by phone (100% sure, %(email)s asked)",
    "name 87% similar; e-mail 5% similar",
    # a trailing separator, and a piece with only spaces
    "ContactId C9 is unknown; ",
    "ContactId C9 is unknown;  ; no contact with this e-mail, name or birth date",
    # a piece a template reads with parentheses in its value
    "same birth date (1980-05-06) (seen on the ID card)",
    "2 contacts share this e-mail address",
]


def _is_codes(data):
    reasons = json.loads(data)
    return isinstance(reasons, list) and all(
        isinstance(item, list) and item[0] in REASON_TEMPLATES for item in reasons
    )


@tagged("post_install", "-at_install")
class TestLoyaltyReasonRedTeam(FrenchDataHubCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.french_sales = cls._french_salesperson("t_rr_sophie")

    def _cards(self, user=None):
        Member = self.env["contoso.loyalty.member"]
        if user:
            Member = Member.with_user(user).with_context(lang=user.lang)
        return {
            m.loyalty_ref: m
            for m in Member.search([("loyalty_ref", "like", "LOYID_R")])
        }

    def _stored(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT loyalty_ref, match_reason_data FROM contoso_loyalty_member "
            "WHERE loyalty_ref LIKE 'LOYID_R%%'"
        )
        return dict(self.env.cr.fetchall())

    # -- every path that sets a match stores codes --------------------------

    def test_rematch_after_a_french_contacts_import_stores_codes(self):
        # the cards first (nothing to match), then the contacts, both by the
        # French data administrator: the rematch writes the reasons again
        self._import("loyalty", MEMBERS, "Loyalty.csv", user=self.french_admin)
        self.assertEqual(
            json.loads(self._stored()["LOYID_R1"]), [["nothing_alike", {}]]
        )
        self._import("contacts", PEOPLE, user=self.french_admin)
        stored = self._stored()
        for ref, data in stored.items():
            self.assertTrue(_is_codes(data), (ref, data))
        self.assertEqual(
            json.loads(stored["LOYID_R1"]),
            [["name_same", {}], ["dob_same", {"date": "1980-05-06"}]],
        )
        self.assertNotIn("naissance", "".join(stored.values()))

    def test_confirm_reject_and_undo_keep_the_codes(self):
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS, "Loyalty.csv")
        before = self._stored()
        cards = self._cards(self.french_admin)
        self.assertEqual(cards["LOYID_R1"].match_state, "auto")
        cards["LOYID_R1"].action_reject_match()  # Undo Link
        cards["LOYID_R1"].action_confirm_match()  # then confirmed by hand
        cards["LOYID_R3"].action_reject_match()
        self.assertEqual(cards["LOYID_R1"].match_state, "confirmed")
        self.assertEqual(self._stored(), before)
        # and a French reader still reads them in French
        self.assertIn("même", cards["LOYID_R1"].match_reason)

    def test_salesperson_cannot_write_the_reasons(self):
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS, "Loyalty.csv")
        card = self._cards(self.french_sales)["LOYID_R1"]
        with self.assertRaises(AccessError):
            card.write({"match_reason_data": '[["text",{"text":"x"}]]'})

    # -- what a data administrator may store by hand ------------------------

    def test_markup_stored_by_hand_is_read_as_plain_text(self):
        # readonly=True is the UI's only: a data administrator writes
        # match_reason_data over RPC. What is shown is text, never markup.
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS, "Loyalty.csv")
        card = self._cards(self.data_admin)["LOYID_R1"]
        script = '<img src=x onerror="alert(1)">'
        card.write({"match_reason_data": encode([["email_same", {"email": script}]])})
        shown = self._cards(self.french_sales)["LOYID_R1"].match_reason
        self.assertEqual(shown, f"même adresse e-mail ({script})")
        self.assertIsInstance(shown, str)
        self.assertNotEqual(type(shown).__name__, "Markup")

    def test_deeply_nested_data_does_not_break_other_readers(self):
        # A data administrator writes JSON nested deeper than Python's
        # recursion limit (100 KB) into one card's reasons: decode() catches
        # ValueError only, json.loads raises RecursionError, so every list
        # page holding this card fails for every reader of the company.
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS, "Loyalty.csv")
        card = self._cards(self.data_admin)["LOYID_R1"]
        card.write({"match_reason_data": "[" * 100_000})
        self.env.invalidate_all()
        members = (
            self.env["contoso.loyalty.member"]
            .with_user(self.french_sales)
            .with_context(lang="fr_FR")
        )
        try:
            rows = members.search_read(
                [("loyalty_ref", "like", "LOYID_R")], ["loyalty_ref", "match_reason"]
            )
        except RecursionError as error:
            self.fail(f"the loyalty list fails for a salesperson: {error!r}")
        shown = {row["loyalty_ref"]: row["match_reason"] for row in rows}
        self.assertEqual(len(shown["LOYID_R1"]), 100_000)

    # -- searchable, sortable, groupable ------------------------------------

    def test_the_ui_offers_no_sort_nor_group_on_why(self):
        Member = self.env["contoso.loyalty.member"].with_user(self.french_admin)
        why = Member.fields_get(["match_reason"])["match_reason"]
        # searchable through its words (_search_match_reason, since the red
        # team found favourites saved on it before 19.0.1.3.0 failing)
        self.assertTrue(why["searchable"])
        self.assertFalse(why["sortable"])
        self.assertFalse(why.get("groupable"))
        self.assertTrue(why["readonly"])
        views = Member.get_views([(False, "list"), (False, "search")])
        search = views["views"]["search"]["arch"]
        self.assertNotIn("match_reason", search)
        # the list shows it, as a plain field (no html widget)
        self.assertIn('name="match_reason"', views["views"]["list"]["arch"])
        self.assertNotIn('widget="html"', views["views"]["list"]["arch"])

    def test_a_favourite_on_why_saved_before_the_upgrade_still_opens(self):
        # Until 19.0.1.2.0 Why was a stored Char: the custom filter offered it,
        # and a data administrator could save "Why contains birth date" as a
        # favourite. The upgrade leaves such favourites (ir.filters) as they
        # are, and Why is no longer searchable: opening the favourite fails.
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS, "Loyalty.csv")
        favourite = (
            self.env["ir.filters"]
            .with_user(self.data_admin)
            .create(
                {
                    "name": "Matched on birth date",
                    "model_id": "contoso.loyalty.member",
                    "domain": "[('match_reason', 'ilike', 'birth date')]",
                    "user_ids": [(6, 0, self.data_admin.ids)],
                }
            )
        )
        domain = ast.literal_eval(favourite.domain)
        try:
            found = (
                self.env["contoso.loyalty.member"]
                .with_user(self.data_admin)
                .search(domain)
            )
        except ValueError as error:
            self.fail(f"a favourite saved on Why fails after the upgrade: {error}")
        self.assertIn(self._cards()["LOYID_R1"], found)

    # -- the migration of odd old words -------------------------------------

    def test_parse_keeps_the_english_words_of_odd_old_texts(self):
        for words in OLD_WORDS:
            self.assertEqual(describe(parse(words)), words, words)

    def test_the_migration_keeps_odd_old_texts_empty_and_null(self):
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS, "Loyalty.csv")
        cards = self._cards()
        old = {
            "LOYID_R1": OLD_WORDS[0],
            "LOYID_R2": OLD_WORDS[1],
            "LOYID_R3": None,
        }
        self._store_old_words({cards[ref]: words for ref, words in old.items()})
        run_migration(self.env.cr, "19.0.1.3.0", "19.0.1.2.0")
        # twice, as a second upgrade does: nothing changes
        run_migration(self.env.cr, "19.0.1.3.0", "19.0.1.3.0")
        self.env.invalidate_all()
        for ref, words in old.items():
            self.assertEqual(cards[ref].match_reason, words or "", ref)
        french = self._cards(self.french_admin)
        self.assertEqual(
            french["LOYID_R2"].match_reason, OLD_WORDS[1]
        )  # a hand-written text stays as it was
