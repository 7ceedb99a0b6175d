"""Matching loyalty members to contacts, without a database."""

import datetime
import time

from odoo.tests import BaseCase

from ..datahub.matching import ContactIndex
from ..datahub.normalise import name_key

DOB = datetime.date(1985, 3, 4)


def person(pid, name, email=None, birthdate=None):
    return {
        "id": pid,
        "name_key": name_key(name),
        "email_norm": email,
        "birthdate": birthdate,
    }


class TestMatching(BaseCase):
    def setUp(self):
        super().setUp()
        self.index = ContactIndex(
            [
                person(1, "Zoé Dupont", "zoe.dupont@example.com", DOB),
                person(
                    2, "John Smith", "jsmith@example.com", datetime.date(1970, 1, 1)
                ),
                person(3, "Mary Smith", "family@example.com", DOB),
                person(4, "Peter Smith", "family@example.com", DOB),
                person(5, "Jonathan Fairweather", "jon.fw@example.com", DOB),
            ]
        )

    def test_same_email_and_name(self):
        match = self.index.match(
            person(None, "Dupont, Zoe", "zoe.dupont@example.com", DOB)
        )
        self.assertEqual((match.partner_id, match.state, match.score), (1, "auto", 100))
        self.assertEqual(
            match.reason,
            "same e-mail address (zoe.dupont@example.com); same name (ignoring "
            "accents, case and word order); same birth date (1985-03-04)",
        )

    def test_same_email_other_name_goes_to_review(self):
        match = self.index.match(person(None, "Jane Smith", "jsmith@example.com"))
        self.assertEqual(match.state, "review")
        self.assertEqual(match.partner_id, 2)
        self.assertIn("same e-mail address (jsmith@example.com)", match.reason)

    def test_shared_family_email_is_never_automatic_when_ambiguous(self):
        match = self.index.match(person(None, "Smith", "family@example.com", DOB))
        self.assertEqual(match.state, "review")
        self.assertIn("2 contacts share this e-mail address", match.reason)

    def test_name_and_birth_date_any_order(self):
        match = self.index.match(person(None, "DUPONT ZOE", None, DOB))
        self.assertEqual((match.partner_id, match.state, match.score), (1, "auto", 90))
        self.assertEqual(
            match.reason,
            "same name (ignoring accents, case and word order); same birth date "
            "(1985-03-04)",
        )

    def test_fuzzy_name_with_similar_email_in_the_birth_date_block(self):
        match = self.index.match(
            person(None, "Jonathon Fairwether", "jon.fairweather@example.com", DOB)
        )
        self.assertEqual(match.partner_id, 5)
        self.assertEqual(match.state, "review")
        self.assertRegex(
            match.reason,
            r"^name \d+% similar; e-mail \d+% similar; same birth date \(1985-03-04\)$",
        )

    def test_different_birth_date_lowers_the_score(self):
        other = datetime.date(1990, 1, 1)
        match = self.index.match(
            person(None, "Zoe Dupont", "zoe.dupont@example.com", other)
        )
        self.assertEqual(match.state, "review")
        self.assertIn(
            "different birth date (1990-01-01 in the loyalty file", match.reason
        )

    def test_nobody_alike(self):
        match = self.index.match(person(None, "Xavier Quill", "xq@example.org"))
        self.assertEqual((match.partner_id, match.state), (None, "none"))
        self.assertEqual(
            match.reason, "no contact with this e-mail, name or birth date"
        )

    def test_cost_grows_with_blocks_not_with_all_pairs(self):
        """10x more contacts and members must not cost anything like 100x."""

        def run(count):
            contacts = [
                person(
                    i,
                    f"First{i} Last{i}",
                    f"p{i}@example.com",
                    datetime.date(1950, 1, 1) + datetime.timedelta(days=i % 20000),
                )
                for i in range(count)
            ]
            members = [
                person(
                    None,
                    f"Frst{i} Last{i}",
                    None,
                    datetime.date(1950, 1, 1) + datetime.timedelta(days=i % 20000),
                )
                for i in range(0, count, 2)
            ]
            start = time.perf_counter()
            index = ContactIndex(contacts)
            found = sum(1 for m in members if index.match(m).partner_id is not None)
            return time.perf_counter() - start, found, len(members)

        small, found_small, members_small = run(2000)
        large, found_large, members_large = run(20000)
        self.assertEqual(found_small, members_small)
        self.assertEqual(found_large, members_large)
        self.assertLess(large / small, 30, f"{small:.3f}s -> {large:.3f}s")
