"""A loyalty card's match reasons: stored as codes, read in the reader's
language (the French data administrator read them in English, as the import
had written them)."""

import json

from odoo.tests import tagged

from ..datahub.matching import REASON_TEMPLATES
from .common import run_migration
from .datahub_common import CONTACTS, LOYALTY, FrenchDataHubCase

PEOPLE = (
    CONTACTS
    + "C1,Zoé,Dupont,,zoe.dupont@example.com,1980-05-06,,,,,,\r\n"
    + "C2,John,Smith,,jsmith@example.com,1975-05-06,,,,,,\r\n"
    + "C4,Ann,Lee,,ann@example.com,1991-01-01,,,,,,\r\n"
)
MEMBERS = (
    LOYALTY
    + 'LOYID_1,"Dupont, Zoe",,1980-05-06,,120,\r\n'
    + "LOYID_2,Someone Else, JSmith@Example.com ,,,50,\r\n"
    + "LOYID_4,Ann Lee,,,,5,C4\r\n"
    + "LOYID_5,Xavier Quill,xq@example.org,,,0,C9\r\n"
)


@tagged("post_install", "-at_install")
class TestLoyaltyReasonLanguage(FrenchDataHubCase):
    def _members(self, user):
        members = self.env["contoso.loyalty.member"].with_user(user)
        return {
            m.loyalty_ref: m
            for m in members.with_context(lang=user.lang).search(
                [("loyalty_ref", "like", "LOYID_")]
            )
        }

    def test_each_reader_reads_the_reasons_in_his_language(self):
        self._import("contacts", PEOPLE)
        # imported by the English data administrator, read by both
        self._import("loyalty", MEMBERS, "Loyalty.csv")
        english = {
            ref: m.match_reason for ref, m in self._members(self.data_admin).items()
        }
        french = {
            ref: m.match_reason for ref, m in self._members(self.french_admin).items()
        }
        self.assertEqual(
            english["LOYID_1"],
            "same name (ignoring accents, case and word order); same birth date "
            "(May 6, 1980)",
        )
        self.assertEqual(
            french["LOYID_1"],
            "même nom (sans tenir compte des accents, de la casse ni de l'ordre des "
            "mots); même date de naissance (6 mai 1980)",
        )
        self.assertEqual(
            english["LOYID_2"].split("; ")[0],
            "same e-mail address (jsmith@example.com)",
        )
        self.assertEqual(
            french["LOYID_2"].split("; ")[0], "même adresse e-mail (jsmith@example.com)"
        )
        self.assertRegex(french["LOYID_2"], r"; nom similaire à \d+ %")
        self.assertEqual(
            french["LOYID_4"], "ContactId C4 donné par le fichier de fidélité"
        )
        self.assertEqual(
            french["LOYID_5"],
            "ContactId C9 inconnu; aucun contact avec cet e-mail, ce nom ou cette "
            "date de naissance",
        )
        self.assertEqual(
            english["LOYID_5"],
            "ContactId C9 is unknown; no contact with this e-mail, name or birth date",
        )

    def test_the_database_holds_codes_not_words(self):
        self._import("contacts", PEOPLE)
        # imported by the French data administrator: nothing French stored
        self._import("loyalty", MEMBERS, "Loyalty.csv", user=self.french_admin)
        self.env.cr.execute(
            "SELECT loyalty_ref, match_reason_data FROM contoso_loyalty_member "
            "WHERE loyalty_ref LIKE 'LOYID_%%'"
        )
        stored = dict(self.env.cr.fetchall())
        self.assertEqual(
            json.loads(stored["LOYID_1"]),
            [["name_same", {}], ["dob_same", {"date": "1980-05-06"}]],
        )
        self.assertEqual(
            json.loads(stored["LOYID_5"])[0], ["ref_unknown", {"ref": "C9"}]
        )
        for data in stored.values():
            for code, _values in json.loads(data):
                self.assertIn(code, REASON_TEMPLATES)
        self.assertNotIn("naissance", "".join(stored.values()))
        self.assertNotIn("birth date", "".join(stored.values()))

    def test_the_translated_words_are_the_matchings_words(self):
        # The model's templates (translated) and the matching's English ones
        # are the same words: one cannot change without the other.
        Member = self.env["contoso.loyalty.member"].with_context(lang="en_US")
        self.assertEqual(Member._match_reason_templates(), REASON_TEMPLATES)
        french = Member.with_context(lang="fr_FR")._match_reason_templates()
        self.assertEqual(set(french), set(REASON_TEMPLATES))
        for code, words in french.items():
            if code != "text":
                self.assertNotEqual(words, REASON_TEMPLATES[code], code)

    def test_reasons_stored_as_words_before_are_read_back_into_codes(self):
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS, "Loyalty.csv")
        cards = self._members(self.data_admin)
        # as 19.0.1.2.0 left them: English words in match_reason, no codes
        old = {
            "LOYID_1": "same e-mail address (zoe@example.com); name 87% similar; "
            "different birth date (1990-01-01 in the loyalty file, 1991-02-02 on "
            "the contact); 2 contacts share this e-mail address",
            "LOYID_2": "ContactId C9 is unknown; checked by phone (100% sure)",
        }
        self._store_old_words({cards[ref]: words for ref, words in old.items()})
        run_migration(self.env.cr, "19.0.1.3.0", "19.0.1.2.0")
        self.env.invalidate_all()
        # the same words, the dates in the reader's format
        self.assertEqual(
            cards["LOYID_1"].match_reason,
            old["LOYID_1"]
            .replace("1990-01-01", "Jan 1, 1990")
            .replace("1991-02-02", "Feb 2, 1991"),
        )
        self.assertEqual(cards["LOYID_2"].match_reason, old["LOYID_2"])
        french = self._members(self.french_admin)
        self.assertEqual(
            french["LOYID_1"].match_reason,
            "même adresse e-mail (zoe@example.com); nom similaire à 87 %; date de "
            "naissance différente (1 janv. 1990 dans le fichier de fidélité, "
            "2 févr. 1991 sur le contact); 2 contacts partagent cette adresse e-mail",
        )
        # the words no template reads stay as they were written
        self.assertEqual(
            french["LOYID_2"].match_reason,
            "ContactId C9 inconnu; checked by phone (100% sure)",
        )
        # the cards that had codes are left alone
        self.assertEqual(
            json.loads(cards["LOYID_4"].match_reason_data),
            [["ref_given", {"ref": "C4"}]],
        )

    def test_codes_it_does_not_know_are_shown_not_lost(self):
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS, "Loyalty.csv")
        card = self._members(self.data_admin)["LOYID_1"]
        for data, shown in (
            # a code of a later version, and a known code missing its value
            (
                '[["name_same",{}],["pet_name",{"pet":"Rex"}],["dob_same",{}]]',
                'same name (ignoring accents, case and word order); pet_name {"pet":'
                ' "Rex"}; dob_same {}',
            ),
            # words written there by hand, not codes
            ("checked by phone", "checked by phone"),
            ('{"not": "a list"}', '{"not": "a list"}'),
            ('[["name_same"]]', '[["name_same"]]'),
        ):
            card.sudo().match_reason_data = data
            self.assertEqual(card.match_reason, shown, data)

    def test_why_is_searched_by_its_words_in_either_language_and_its_values(self):
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS, "Loyalty.csv")
        english = self.env["contoso.loyalty.member"].with_user(self.data_admin)
        french = english.with_user(self.french_admin).with_context(lang="fr_FR")

        def refs(members, domain):
            found = members.search(domain + [("loyalty_ref", "like", "LOYID_")])
            return set(found.mapped("loyalty_ref"))

        # LOYID_1: same name and birth date; LOYID_2: same e-mail, name similar;
        # LOYID_4: its ContactId given; LOYID_5: unknown ContactId, nobody alike
        self.assertEqual(
            refs(english, [("match_reason", "ilike", "birth date")]),
            {"LOYID_1", "LOYID_5"},
        )
        self.assertEqual(
            refs(french, [("match_reason", "ilike", "naissance")]),
            {"LOYID_1", "LOYID_5"},
        )
        # a value: the e-mail, the ContactId
        self.assertEqual(
            refs(english, [("match_reason", "ilike", "JSMITH@example")]), {"LOYID_2"}
        )
        self.assertEqual(refs(french, [("match_reason", "ilike", "C9")]), {"LOYID_5"})
        self.assertEqual(
            refs(english, [("match_reason", "not ilike", "birth date")]),
            {"LOYID_2", "LOYID_4"},
        )
        self.assertEqual(
            refs(english, [("match_reason", "!=", False)]),
            {"LOYID_1", "LOYID_2", "LOYID_4", "LOYID_5"},
        )
        # what the list shows is what was found
        for member in english.search([("match_reason", "ilike", "birth date")]):
            self.assertIn("birth date", member.match_reason)
