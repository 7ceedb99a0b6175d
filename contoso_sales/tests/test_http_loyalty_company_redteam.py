"""Red team over HTTP (Odoo's runner: contoso_http) of the loyalty matching
kept to each card's company (a card of company B is never linked to nor
proposed a contact of company A only): imports through the wizard over
JSON-RPC as a data administrator of A and B, forged companies, and the roles
that may not decide a match."""

import base64

from odoo import Command
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .datahub_common import CONTACTS, LOYALTY
from .http_common import ContosoHttpCase, rpc_user

NINA = "LOYID_HB1,Nina Qqhttp,nina.qqhttp@example.com,,,1,\r\n"
WAITING_A = "LOYID_HA2,Xavier Qqnobodyhttp,,,,1,\r\n"


@tagged("post_install", "-at_install", "contoso_http")
class TestHttpLoyaltyCompanyRedTeam(ContosoHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Company = cls.env["res.company"]
        cls.company_a = cls.env.company
        cls.company_b = Company.create({"name": "Contoso Redco B"})
        cls.company_c = Company.create({"name": "Contoso Redco C"})
        cls.dana = rpc_user(
            cls.env,
            "rpc_lc_dana",
            "base.group_user,contoso_sales.group_data_admin",
            company_id=cls.company_a.id,
            company_ids=[Command.set((cls.company_a | cls.company_b).ids)],
        )
        cls.dora = rpc_user(
            cls.env,
            "rpc_lc_dora",
            "base.group_user,contoso_sales.group_data_admin",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.sally = rpc_user(
            cls.env, "rpc_lc_sally", "base.group_user,contoso_sales.group_salesperson"
        )
        cls.paula = rpc_user(cls.env, "rpc_lc_paula", "base.group_portal")
        # A contact of company A only, found by e-mail.
        cls.nina = cls.env["res.partner"].create(
            {
                "name": "Nina Qqhttp",
                "email": "nina.qqhttp@example.com",
                "company_id": cls.company_a.id,
            }
        )
        cls.shared = cls.env["res.partner"].create({"name": "Shared Qqhttp"})

    # -- helpers ---------------------------------------------------------------

    def _ctx(self, *companies):
        return {"allowed_company_ids": [c.id for c in companies]}

    def _import(self, source, text, context, extra=None):
        """The wizard over JSON-RPC, as the web client: create, then import.
        Returns the batch's id."""
        vals = {
            "source": source,
            "file": base64.b64encode(text.encode()).decode(),
            "filename": f"{source}.csv",
            "dry_run": False,
            **(extra or {}),
        }
        wizard = self.call_kw(
            "contoso.import.wizard", "create", [vals], {"context": context}
        )
        action = self.call_kw(
            "contoso.import.wizard", "action_import", [[wizard]], {"context": context}
        )
        return action["res_id"]

    def _cards(self, ref, context):
        return self.call_kw(
            "contoso.loyalty.member",
            "search_read",
            [[("loyalty_ref", "=", ref)]],
            {
                "fields": [
                    "company_id",
                    "partner_id",
                    "candidate_partner_id",
                    "match_state",
                    "match_reason",
                ],
                "context": context,
            },
        )

    def _card_of(self, ref, company, context):
        cards = [
            c for c in self._cards(ref, context) if c["company_id"][0] == company.id
        ]
        self.assertEqual(len(cards), 1, f"{ref} of {company.name}: {cards}")
        return cards[0]

    def _assert_not_with_nina(self, card):
        for field in ("partner_id", "candidate_partner_id"):
            self.assertFalse(
                card[field] and card[field][0] == self.nina.id,
                f"card {card['id']} of company B has {field} = Nina, a contact of "
                f"company A only ({card['match_state']}, {card['match_reason']})",
            )

    def _batch_company(self, batch_id, context):
        [batch] = self.call_kw(
            "contoso.import.batch",
            "read",
            [[batch_id], ["company_id", "state"]],
            {"context": context},
        )
        return batch["company_id"][0]

    def _b_card_waits(self):
        """Dana imports Nina's card in company B: no contact of B has her."""
        batch = self._import(
            "loyalty", LOYALTY + NINA, self._ctx(self.company_b, self.company_a)
        )
        self.assertEqual(
            self._batch_company(batch, self._ctx(self.company_b, self.company_a)),
            self.company_b.id,
        )
        card = self._card_of(
            "LOYID_HB1", self.company_b, self._ctx(self.company_a, self.company_b)
        )
        self.assertEqual(card["match_state"], "none", card)
        self._assert_not_with_nina(card)

    # -- 1. a contacts import of A re-matches B's waiting card within B --------

    def test_contacts_import_of_a_keeps_b_card_off_a_contact(self):
        self.login(self.dana)
        both_a = self._ctx(self.company_a, self.company_b)
        self._b_card_waits()
        # The same card in company A finds Nina; another card of A waits.
        batch = self._import("loyalty", LOYALTY + NINA + WAITING_A, both_a)
        self.assertEqual(self._batch_company(batch, both_a), self.company_a.id)
        card_a = self._card_of("LOYID_HB1", self.company_a, both_a)
        self.assertEqual(card_a["match_state"], "auto", card_a)
        self.assertEqual(card_a["partner_id"][0], self.nina.id)
        self.assertEqual(
            self._card_of("LOYID_HA2", self.company_a, both_a)["match_state"], "none"
        )
        # Company A imports a new contact: every waiting card Dana reads, of
        # both companies, is matched again.
        batch = self._import(
            "contacts", CONTACTS + "CRH1,Someone,Elsehttp,,,,,,,,,\r\n", both_a
        )
        [done] = self.call_kw(
            "contoso.import.batch",
            "read",
            [[batch], ["company_id", "state", "rows_created"]],
            {"context": both_a},
        )
        self.assertEqual(
            (done["company_id"][0], done["rows_created"]), (self.company_a.id, 1)
        )
        card_b = self._card_of("LOYID_HB1", self.company_b, both_a)
        self._assert_not_with_nina(card_b)
        self.assertEqual(card_b["match_state"], "none", card_b)
        self.assertEqual(
            self._card_of("LOYID_HB1", self.company_a, both_a)["match_state"], "auto"
        )

    def test_contacts_import_of_b_keeps_b_card_off_a_contact(self):
        """The same, the contacts imported in B (B first in the switcher)."""
        self.login(self.dana)
        both_b = self._ctx(self.company_b, self.company_a)
        self._b_card_waits()
        self._import(
            "loyalty", LOYALTY + WAITING_A, self._ctx(self.company_a, self.company_b)
        )
        self._import("contacts", CONTACTS + "CRH2,Other,Qqhttpb,,,,,,,,,\r\n", both_b)
        card_b = self._card_of("LOYID_HB1", self.company_b, both_b)
        self._assert_not_with_nina(card_b)
        self.assertEqual(card_b["match_state"], "none", card_b)

    # -- 2. forged companies ---------------------------------------------------

    def test_forged_company_in_wizard_vals(self):
        """company_id of A (Dana's other company) or of C (not hers) in the
        wizard's values: refused, or ignored (the batch is B's, the company
        first in her switcher), and B's card never matched with A's contact."""
        self.login(self.dana)
        both_b = self._ctx(self.company_b, self.company_a)
        for forged in (self.company_a, self.company_c):
            try:
                batch = self._import(
                    "loyalty", LOYALTY + NINA, both_b, {"company_id": forged.id}
                )
            except JsonRpcException:
                continue  # refused: fine
            self.assertEqual(self._batch_company(batch, both_b), self.company_b.id)
        self.assertFalse(
            self.env["contoso.loyalty.member"]
            .sudo()
            .search(
                [
                    ("loyalty_ref", "=", "LOYID_HB1"),
                    ("company_id", "!=", self.company_b.id),
                ]
            )
        )
        for card in self._cards("LOYID_HB1", both_b):
            self._assert_not_with_nina(card)

    def test_forged_company_in_batch_vals(self):
        """The batch created directly over RPC with another company and user:
        the server sets its own."""
        self.login(self.dana)
        ctx = self._ctx(self.company_b)
        try:
            batch = self.call_kw(
                "contoso.import.batch",
                "create",
                [
                    {
                        "source": "loyalty",
                        "filename": "l.csv",
                        "file": base64.b64encode((LOYALTY + NINA).encode()).decode(),
                        "company_id": self.company_c.id,
                        "user_id": self.sally.id,
                        "state": "done",
                    }
                ],
                {"context": ctx},
            )
        except JsonRpcException:
            return
        stored = self.env["contoso.import.batch"].sudo().browse(batch)
        self.assertEqual(stored.company_id, self.company_b)
        self.assertEqual(stored.user_id, self.dana)
        self.assertEqual(stored.state, "queued")

    def test_forged_allowed_companies_in_context(self):
        """allowed_company_ids holding a company Dana is not in: refused, and
        nothing imported in it."""
        self.login(self.dana)
        for forged in (
            self._ctx(self.company_c),
            self._ctx(self.company_c, self.company_b),
            self._ctx(self.company_b, self.company_c),
        ):
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self._import("loyalty", LOYALTY + NINA, forged)
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self._cards("LOYID_HB1", forged)
        Sudo = self.env["contoso.loyalty.member"].sudo()
        self.assertFalse(Sudo.search([("loyalty_ref", "=", "LOYID_HB1")]))
        self.assertFalse(
            self.env["contoso.import.batch"]
            .sudo()
            .search([("company_id", "=", self.company_c.id)])
        )

    def test_data_admin_of_b_only_cannot_import_into_a(self):
        """Dora, of company B only, asking for A in her context is refused;
        her own import is B's, and her card is not matched with A's Nina."""
        self.login(self.dora)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._import("loyalty", LOYALTY + NINA, self._ctx(self.company_a))
        batch = self._import("loyalty", LOYALTY + NINA, self._ctx(self.company_b))
        self.assertEqual(
            self._batch_company(batch, self._ctx(self.company_b)), self.company_b.id
        )
        card = self._card_of("LOYID_HB1", self.company_b, self._ctx(self.company_b))
        self._assert_not_with_nina(card)
        self.assertEqual(card["match_state"], "none")

    # -- 3. roles ----------------------------------------------------------------

    def _proposed_card(self):
        return self.env["contoso.loyalty.member"].create(
            {
                "loyalty_ref": "LOYID_HR1",
                "name": "Shared Qqhttp",
                "company_id": self.company_a.id,
                "candidate_partner_id": self.shared.id,
                "match_state": "review",
                "match_score": 70,
            }
        )

    def test_salesperson_and_portal_cannot_decide(self):
        card = self._proposed_card()
        for user in (self.sally, self.paula):
            self.login(user)
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self.call_kw(
                    "contoso.loyalty.member", "action_confirm_match", [card.ids]
                )
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self.call_kw(
                    "contoso.loyalty.member", "action_reject_match", [card.ids]
                )
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self.call_kw(
                    "contoso.loyalty.member",
                    "write",
                    [
                        card.ids,
                        {"partner_id": self.shared.id, "match_state": "confirmed"},
                    ],
                )
        card.invalidate_recordset()
        self.assertEqual(
            (card.match_state, card.partner_id), ("review", self.shared.browse())
        )
        self.assertFalse(card.decided_by_id)

    def test_private_matching_methods_refused(self):
        card = self._proposed_card()
        card.candidate_partner_id = False
        self.login(self.dana)
        ctx = {"context": self._ctx(self.company_a, self.company_b)}
        for method, args in (
            ("_match", [card.ids]),
            ("_match_rows", [[]]),
            ("_match_company_rows", [[]]),
            ("_match_candidates", [[]]),
            ("_decide", [card.ids, {"partner_id": self.nina.id}]),
        ):
            with self.assertRaisesRegex(JsonRpcException, "[Pp]rivate"):
                self.call_kw("contoso.loyalty.member", method, args, ctx)
        card.invalidate_recordset()
        self.assertFalse(card.partner_id)

    def test_data_admin_confirms_own_company_proposal(self):
        """Control: the data administrator may decide (so the refusals above
        are the roles', not a broken call)."""
        card = self._proposed_card()
        self.login(self.dana)
        self.call_kw(
            "contoso.loyalty.member",
            "action_confirm_match",
            [card.ids],
            {"context": self._ctx(self.company_a, self.company_b)},
        )
        card.invalidate_recordset()
        self.assertEqual(
            (card.match_state, card.partner_id), ("confirmed", self.shared)
        )
        self.assertEqual(card.decided_by_id, self.dana)


@tagged("post_install", "-at_install", "contoso_http")
class TestHttpLoyaltyManualCrossCompanyProbe(ContosoHttpCase):
    """Probe (failed on 8440df4, fixed by check_company on the card's
    contacts): a data administrator of company B
    only sets by hand (write, then Confirm) a card of B to a contact of
    company A only, a contact she cannot even read, and then reads its name
    on the card. The automatic matching keeps to the card's company, and so
    do the card's contact fields (check_company)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Contoso Redco PB"})
        cls.dora = rpc_user(
            cls.env,
            "rpc_lcp_dora",
            "base.group_user,contoso_sales.group_data_admin",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.nina = cls.env["res.partner"].create(
            {"name": "Nina Qqprobe", "company_id": cls.company_a.id}
        )
        cls.card = cls.env["contoso.loyalty.member"].create(
            {
                "loyalty_ref": "LOYID_HP1",
                "name": "Nina Qqprobe",
                "company_id": cls.company_b.id,
                "match_state": "none",
            }
        )

    def _try(self, method, args):
        """The call's JSON-RPC reply, error or not: a refusal is expected."""
        return self.call_kw_reply(
            "contoso.loyalty.member",
            method,
            args,
            {"context": {"allowed_company_ids": self.company_b.ids}},
        )

    def _assert_not_linked(self):
        self.card.invalidate_recordset()
        self.assertFalse(
            (self.card.partner_id | self.card.candidate_partner_id) & self.nina,
            "a data administrator of B only set B's card to a contact of A only",
        )

    def test_b_only_admin_proposes_and_confirms_a_contact_of_a(self):
        self.login(self.dora)
        # She cannot read Nina...
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw("res.partner", "read", [self.nina.ids, ["name"]])
        self._try("write", [self.card.ids, {"candidate_partner_id": self.nina.id}])
        self._try("action_confirm_match", [self.card.ids])
        self._assert_not_linked()

    def test_b_only_admin_links_a_contact_of_a_and_reads_its_name(self):
        self.login(self.dora)
        self._try(
            "write",
            [self.card.ids, {"partner_id": self.nina.id, "match_state": "confirmed"}],
        )
        # ...but the card hands her Nina's name.
        [card] = self.call_kw(
            "contoso.loyalty.member",
            "read",
            [self.card.ids, ["partner_id"]],
            {"context": {"allowed_company_ids": self.company_b.ids}},
        )
        self.assertNotEqual(
            card["partner_id"] and card["partner_id"][1], "Nina Qqprobe"
        )
        self._assert_not_linked()
