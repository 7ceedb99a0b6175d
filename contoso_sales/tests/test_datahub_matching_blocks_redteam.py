"""Red team of the name blocks of loyalty matching (_match_candidates): the
grouped query that finds the blocks too large to read must keep exactly the
tokens that a capped count per token (the query it replaced, copied below as
the reference) kept, and the import must never match a card with a contact out
of its company's scope."""

import base64
from unittest.mock import patch

from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import SQL

from ..datahub.matching import BLOCK_LIMIT
from .datahub_common import CONTACTS, LOYALTY, DataHubCase

MEMBER_MODULE = "odoo.addons.contoso_sales.models.contoso_loyalty_member"


def _scope(company_ids):
    return SQL(
        "active AND NOT is_company AND (company_id IS NULL OR company_id = ANY(%s))",
        sorted(company_ids),
    )


def reference_kept_tokens(cr, tokens, company_ids, limit):
    """The tokens kept by the query before e2046ab: one count per token,
    stopping past the limit."""
    if not tokens:
        return set()
    cr.execute(
        SQL(
            """
            SELECT t FROM unnest(%s::text[]) t
             WHERE (SELECT count(*) FROM (
                       SELECT 1 FROM res_partner
                        WHERE string_to_array(contoso_name_key, ' ')
                              @> ARRAY[t] AND %s
                        LIMIT %s) block) <= %s
            """,
            sorted(tokens),
            _scope(company_ids),
            limit + 1,
            limit,
        )
    )
    return {t for (t,) in cr.fetchall()}


def reference_block_ids(cr, kept, company_ids):
    if not kept:
        return set()
    cr.execute(
        SQL(
            "SELECT id FROM res_partner WHERE %s AND "
            "string_to_array(contoso_name_key, ' ') && %s::text[]",
            _scope(company_ids),
            sorted(kept),
        )
    )
    return {i for (i,) in cr.fetchall()}


def _row(name_key, company_id):
    return {
        "name_key": name_key,
        "email_norm": False,
        "birthdate": False,
        "contact_ref": False,
        "company_id": company_id,
    }


@tagged("post_install", "-at_install")
class TestLoyaltyBlocksEquivalence(DataHubCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Contoso Redloy B"})
        cls.third = cls.env["res.company"].create({"name": "Contoso Redloy C"})

    def _people(self, key, count, **values):
        """`count` contacts whose stored name key is exactly `key` (written in
        SQL: keys no name could give, quotes, braces, long tokens...)."""
        partners = self.env["res.partner"].create(
            [{"name": f"Qqseed {n}", **values} for n in range(count)]
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET contoso_name_key = %s WHERE id = ANY(%s)",
            [key, partners.ids],
        )
        partners.invalidate_recordset(["contoso_name_key"])
        return partners

    def _compare(self, keys, company_ids, limit):
        rows = [
            _row(key, company_ids[n % len(company_ids)]) for n, key in enumerate(keys)
        ]
        tokens = {t for key in keys for t in (key or "").split()}
        Member = self.env["contoso.loyalty.member"]
        with patch(f"{MEMBER_MODULE}.BLOCK_LIMIT", limit):
            contacts, got_tokens = Member._match_candidates(rows)
        kept = reference_kept_tokens(self.env.cr, tokens, company_ids, limit)
        self.assertEqual(got_tokens, kept, f"tokens kept, limit {limit}")
        self.assertEqual(
            {c["id"] for c in contacts},
            reference_block_ids(self.env.cr, kept, company_ids),
            f"contacts read, limit {limit}",
        )
        self.assertEqual([c["id"] for c in contacts], sorted(c["id"] for c in contacts))
        return kept

    def test_tricky_tokens_and_scopes_agree_with_the_capped_count(self):
        company = self.env.company.id
        other, third = self.other.id, self.third.id
        # limit 3: a token shared by 3 in-scope contacts is kept, by 4 dropped
        self._people("qqrep qqrep", 3)  # repeated token: 3 contacts, not 6
        self._people("qqfour", 4)
        self._people("qqscope", 3)
        self._people("qqscope", 2, active=False)
        self._people("qqscope", 2, is_company=True)
        self._people("qqscope", 2, company_id=third)
        self._people("qqshared", 2)  # company_id NULL
        self._people("qqshared", 2, company_id=company)
        self._people("qqmine", 2, company_id=company)
        self._people("qqmine", 2, company_id=other)  # 4 with both companies
        self._people("qqoutonly", 5, active=False)
        self._people("qqoutonly", 5, company_id=third)
        weird = [
            "o'neil",
            "back\\slash",
            "a,b",
            "{brace}",
            '"quoted"',
            "zoé",
            "ß",
            "NULL",
            "x');drop",
            "%s",
            "%(tokens)s",
            "q" * 1000,
        ]
        for n, token in enumerate(weird):
            self._people(f"qqw {token}", 2 if n % 2 else 4)
        self._people("", 3)
        self._people("qqsp  qqsp2", 2)  # two spaces: an empty token in SQL
        self._people(None, 3)
        keys = [
            "qqrep",
            "qqfour x",
            "qqscope",
            "qqshared",
            "qqmine",
            "qqoutonly",
            "qqnothing",
            "qqsp qqsp2",
            *weird,
        ]
        for company_ids in ([company], [company, other], [third]):
            for limit in (1, 2, 3, 4, 5):
                with self.subTest(companies=company_ids, limit=limit):
                    self._compare(keys, company_ids, limit)
        kept = self._compare(keys, [company], 3)
        self.assertIn("qqrep", kept)
        self.assertNotIn("qqfour", kept)
        self.assertIn("qqscope", kept)
        self.assertNotIn("qqshared", kept)
        self.assertIn("qqoutonly", kept)
        self.assertNotIn("o'neil", kept)
        self.assertIn("back\\slash", kept)
        self.assertIn("zoé", kept)
        self.assertNotIn("x');drop", kept)
        self.assertNotIn("qqmine", self._compare(keys, [company, other], 3))

    def test_blocks_at_the_real_limit_agree_with_the_capped_count(self):
        company = self.env.company.id
        self._people("qqat qqat", BLOCK_LIMIT - 1)  # once each, not twice
        self._people("qqat", 1, company_id=company)
        self._people("qqat", 3, active=False)
        self._people("qqat", 3, is_company=True)
        self._people("qqat", 3, company_id=self.other.id)
        self._people("qqover", BLOCK_LIMIT + 1)
        keys = ["qqat", "qqover", "qqzero"]
        kept = self._compare(keys, [company], BLOCK_LIMIT)
        self.assertEqual(kept, {"qqat", "qqzero"})

    def test_partners_changed_in_the_transaction_are_read_as_they_are_now(self):
        Partner = self.env["res.partner"]
        renamed = Partner.create({"name": "Qqbefore Person"})
        archived = Partner.create({"name": "Qqarch Person"})
        moved = Partner.create({"name": "Qqmoved Person"})
        crowd = Partner.create([{"name": f"Qqcross P{n}"} for n in range(3)])
        late = Partner.create({"name": "Qqlate Person"})
        self.env.flush_all()
        # not flushed: only in the ORM's cache when the matching reads
        renamed.name = "Qqafter Person"
        archived.active = False
        moved.company_id = self.other
        late.name = "Qqcross Late"
        rows = [
            _row(key, self.env.company.id)
            for key in ("qqafter", "qqbefore", "qqarch", "qqmoved", "qqcross")
        ]
        with patch(f"{MEMBER_MODULE}.BLOCK_LIMIT", 3):
            contacts, tokens = self.env["contoso.loyalty.member"]._match_candidates(
                rows
            )
        ids = {c["id"] for c in contacts}
        self.assertIn(renamed.id, ids, "found by its new name")
        self.assertEqual(
            [c["name_key"] for c in contacts if c["id"] == renamed.id],
            ["person qqafter"],
        )
        self.assertNotIn(archived.id, ids, "archived before the import")
        self.assertNotIn(moved.id, ids, "moved to another company")
        self.assertNotIn("qqcross", tokens, "4 contacts named qqcross now")
        self.assertFalse(ids & set(crowd.ids))
        self.assertEqual(
            tokens,
            reference_kept_tokens(
                self.env.cr,
                {"qqafter", "qqbefore", "qqarch", "qqmoved", "qqcross"},
                [self.env.company.id],
                3,
            ),
        )

    def test_many_tokens_at_once(self):
        self._people("qqmany1 qqmany2", 3)
        keys = [f"qqmany{n} tok{n}x" for n in range(5000)]
        self._compare(keys, [self.env.company.id], 2)


@tagged("post_install", "-at_install")
class TestLoyaltyImportCompanyScope(DataHubCase):
    """Through the wizard, as the data administrator of two companies: a card
    of company B is never matched with a contact of company A only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Contoso Redloy B"})
        cls.data_admin.company_ids = [Command.link(cls.company_b.id)]

    def _import_as(self, source, text, companies):
        env = self.env(
            user=self.data_admin, context={"allowed_company_ids": companies.ids}
        )
        wizard = env["contoso.import.wizard"].create(
            {
                "source": source,
                "file": base64.b64encode(text.encode()),
                "filename": f"{source}.csv",
                "dry_run": False,
            }
        )
        action = wizard.action_import()
        return env["contoso.import.batch"].browse(action["res_id"])

    def _member(self, ref, company):
        return (
            self.env["contoso.loyalty.member"]
            .with_context(allowed_company_ids=(self.company_a | self.company_b).ids)
            .search([("loyalty_ref", "=", ref), ("company_id", "=", company.id)])
        )

    def _a_only_people(self):
        Partner = self.env["res.partner"]
        return Partner.create(
            {
                "name": "Nina Qqlate",
                "email": "nina.qqlate@example.com",
                "company_id": self.company_a.id,
            }
        ) | Partner.create(
            [
                {"name": f"Qqblock Person{n}", "company_id": self.company_a.id}
                for n in range(3)
            ]
        )

    def test_card_of_b_is_not_matched_with_a_contact_of_a_when_imported(self):
        self._a_only_people()
        both = self.company_b | self.company_a
        self._import_as(
            "loyalty",
            LOYALTY
            + "LOYID_B1,Nina Qqlate,nina.qqlate@example.com,,,1,\r\n"
            + "LOYID_B2,Qqblock Persn1,,,,1,\r\n",
            both,
        )
        for ref in ("LOYID_B1", "LOYID_B2"):
            member = self._member(ref, self.company_b)
            self.assertEqual(len(member), 1)
            self.assertEqual(member.match_state, "none", ref)
            self.assertFalse(member.candidate_partner_id, ref)
        # The same cards of company A do find them.
        self._import_as(
            "loyalty",
            LOYALTY + "LOYID_B1,Nina Qqlate,nina.qqlate@example.com,,,1,\r\n",
            self.company_a | self.company_b,
        )
        self.assertEqual(self._member("LOYID_B1", self.company_a).match_state, "auto")

    def test_card_of_b_stays_unmatched_after_a_contacts_import_of_a(self):
        a_only = self._a_only_people()
        both = self.company_a | self.company_b
        self._import_as(
            "loyalty",
            LOYALTY
            + "LOYID_B1,Nina Qqlate,nina.qqlate@example.com,,,1,\r\n"
            + "LOYID_B2,Qqblock Persn1,,,,1,\r\n",
            self.company_b | self.company_a,
        )
        self.assertEqual(self._member("LOYID_B1", self.company_b).match_state, "none")
        # A card of company A waits for its contact too.
        self._import_as("loyalty", LOYALTY + "LOYID_A1,Xavier Qqnobody,,,,1,\r\n", both)
        self.assertEqual(self._member("LOYID_A1", self.company_a).match_state, "none")
        # Company A imports a new contact (anyone): the cards waiting for a
        # contact, of both companies, are matched again; B's must be compared
        # with B's contacts and shared ones only.
        self._import_as("contacts", CONTACTS + "CR1,Someone,Else,,,,,,,,,\r\n", both)
        for ref in ("LOYID_B1", "LOYID_B2"):
            member = self._member(ref, self.company_b)
            self.assertFalse(
                member.candidate_partner_id & a_only,
                f"{ref} of company B proposed or linked to a contact of company A "
                f"only ({member.match_state}, {member.match_reason})",
            )
            self.assertFalse(member.partner_id & a_only, ref)

    def test_cards_of_two_companies_matched_together_keep_their_scope(self):
        a_only = self._a_only_people()
        both = self.company_a | self.company_b
        text = (
            LOYALTY
            + "LOYID_B1,Nina Qqlate,nina.qqlate@example.com,,,1,\r\n"
            + "LOYID_B2,Qqblock Persn1,,,,1,\r\n"
        )
        self._import_as("loyalty", text, self.company_b | self.company_a)
        self._import_as("loyalty", text, both)
        cards = self._member("LOYID_B1", self.company_a) | self._member(
            "LOYID_B1", self.company_b
        )
        cards |= self._member("LOYID_B2", self.company_a) | self._member(
            "LOYID_B2", self.company_b
        )
        self.assertEqual(len(cards), 4)
        cards.write({"match_state": "none", "partner_id": False})
        # _match on the cards of both companies at once (a contacts import
        # rematches every waiting card its user can read)
        cards._match()
        for card in cards.filtered(lambda c: c.company_id == self.company_b):
            self.assertFalse(
                (card.candidate_partner_id | card.partner_id) & a_only,
                f"{card.loyalty_ref} of company B proposed or linked to a contact "
                f"of company A only ({card.match_state}, {card.match_reason})",
            )
        card_a = cards.filtered(
            lambda c: c.company_id == self.company_a and c.loyalty_ref == "LOYID_B1"
        )
        self.assertEqual(card_a.match_state, "auto")


@tagged("post_install", "-at_install")
class TestLoyaltyTooCommonTokensRemembered(DataHubCase):
    """An import counts a name token too common to use once, not in every
    chunk (`_match_rows(too_large=...)`), and the matching is the same."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Contoso Redloy D"})

    _people = TestLoyaltyBlocksEquivalence._people

    COUNT_SQL = "HAVING count(DISTINCT p.id)"

    def _count_queries(self):
        executed = []
        cr = self.env.cr
        original = type(cr).execute

        def execute(cursor, query, params=None, log_exceptions=True):
            text = query.code if isinstance(query, SQL) else str(query)
            if self.COUNT_SQL in text:
                executed.append(text)
            return original(cursor, query, params, log_exceptions)

        return executed, patch.object(type(cr), "execute", execute)

    def test_a_chunked_import_counts_a_too_common_token_once(self):
        self._people("qqcommon qqother", 4)
        self.env["ir.config_parameter"].sudo().set_param(
            "contoso_sales.import_chunk_rows", 2
        )
        rows = "".join(f"QL{n},Qqcommon Qqother,,,,10,\r\n" for n in range(1, 7))
        executed, counting = self._count_queries()
        with patch(f"{MEMBER_MODULE}.BLOCK_LIMIT", 3), counting:
            batch = self._import("loyalty", LOYALTY + rows)
        self.assertEqual(self._counts(batch), (6, 6, 0, 0, 0))
        # Three chunks of two members sharing two tokens, both too common:
        # counted by the first chunk only (each chunk counted them before).
        self.assertEqual(len(executed), 1)
        members = self.env["contoso.loyalty.member"].search(
            [("loyalty_ref", "in", [f"QL{n}" for n in range(1, 7)])]
        )
        self.assertEqual(len(members), 6)
        self.assertEqual(set(members.mapped("match_state")), {"none"})

    def test_remembered_tokens_match_as_counting_again_does(self):
        crowd = self._people("qqshared qqsmall", 4)
        self._people("qqshared", 1)
        company = self.env.company.id
        first = [_row("qqshared qqsmall", company), _row("qqshared", company)]
        second = [_row("qqshared qqnew", company), _row("qqsmall", company)]
        Member = self.env["contoso.loyalty.member"]
        remembered = {}
        with patch(f"{MEMBER_MODULE}.BLOCK_LIMIT", 4):
            cold = Member._match_rows(first) + Member._match_rows(second)
            warm = Member._match_rows(first, too_large=remembered) + (
                Member._match_rows(second, too_large=remembered)
            )
        self.assertEqual(warm, cold)
        self.assertEqual(remembered, {(company,): {"qqshared"}})
        # qqsmall (4 contacts) stays usable: its block was read both times.
        self.assertIn(crowd[0].id, {result[1] for result in warm})

    def test_a_token_too_common_in_one_company_is_used_in_another(self):
        self._people("qqscoped", 4, company_id=self.env.company.id)
        other = self._people("qqscoped", 1, company_id=self.other.id)
        Member = self.env["contoso.loyalty.member"]
        remembered = {}
        with patch(f"{MEMBER_MODULE}.BLOCK_LIMIT", 3):
            Member._match_candidates(
                [_row("qqscoped", self.env.company.id)], remembered
            )
            contacts, tokens = Member._match_candidates(
                [_row("qqscoped", self.other.id)], remembered
            )
        self.assertEqual(remembered[(self.env.company.id,)], {"qqscoped"})
        self.assertIn("qqscoped", tokens, "one contact in the other company's scope")
        self.assertEqual({c["id"] for c in contacts}, set(other.ids))

    def test_a_block_shrinking_during_the_import_is_used_by_the_next_one(self):
        """The documented limit: a token remembered as too common stays unused
        for the rest of the import (a match missed), never a match out of
        scope; the next import, with a fresh memory, uses it."""
        crowd = self._people("qqshrink", 4)
        company = self.env.company.id
        Member = self.env["contoso.loyalty.member"]
        remembered = {}
        with patch(f"{MEMBER_MODULE}.BLOCK_LIMIT", 3):
            Member._match_candidates([_row("qqshrink", company)], remembered)
            crowd[:2].action_archive()
            contacts, tokens = Member._match_candidates(
                [_row("qqshrink", company)], remembered
            )
            self.assertNotIn("qqshrink", tokens)
            self.assertFalse(contacts)
            contacts, tokens = Member._match_candidates([_row("qqshrink", company)], {})
        self.assertIn("qqshrink", tokens)
        self.assertEqual({c["id"] for c in contacts}, set(crowd[2:].ids))
