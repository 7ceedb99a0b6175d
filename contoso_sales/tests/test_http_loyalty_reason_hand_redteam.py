"""Red team over HTTP (Odoo's runner: contoso_http) of "Reasons About"
(match_reason_partner_id) and the hand reasons Why says first: a French data
administrator imports and decides over JSON-RPC, a salesperson, a manager and
a data administrator of one company read and write as the web client does."""

from odoo import Command
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .http_common import rpc_user
from .test_http_loyalty_reason_redteam import FrenchReasonHttpCase
from .test_loyalty_reason_language import MEMBERS, PEOPLE

LIST_SPEC = {"loyalty_ref": {}, "match_state": {}, "match_reason": {}}
FORM_SPEC = {
    "loyalty_ref": {},
    "match_reason": {},
    "match_reason_partner_id": {"fields": {"display_name": {}}},
}
REFS = ["LOYID_1", "LOYID_2", "LOYID_4", "LOYID_5"]


@tagged("post_install", "-at_install", "contoso_http")
class TestHttpLoyaltyReasonHandRedTeam(FrenchReasonHttpCase):
    LOGIN_PREFIX = "rpc_hr"

    # -- helpers ---------------------------------------------------------------

    def _id(self, model, field, value):
        return self.env[model].search([(field, "=", value)]).id

    def _list(self, lang, domain=()):
        return self.call_kw(
            "contoso.loyalty.member",
            "web_search_read",
            [[("loyalty_ref", "in", REFS), *domain]],
            {
                "specification": LIST_SPEC,
                "limit": 80,
                "count_limit": 10001,
                "context": {"lang": lang},
            },
        )

    def _whys(self, lang):
        """Why of each card of the list, by LoyaltyId, as `lang` reads it."""
        return {
            r["loyalty_ref"]: r["match_reason"] for r in self._list(lang)["records"]
        }

    def _setup_hand_cards(self):
        """As Dana over RPC: LOYID_1 confirmed to Ann in place of Zoé,
        LOYID_2's proposal removed."""
        self.login(self.dana)
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS)
        card_1 = self._id("contoso.loyalty.member", "loyalty_ref", "LOYID_1")
        card_2 = self._id("contoso.loyalty.member", "loyalty_ref", "LOYID_2")
        ann = self._id("res.partner", "contoso_contact_ref", "C4")
        self.call_kw(
            "contoso.loyalty.member",
            "write",
            [[card_1], {"partner_id": False, "candidate_partner_id": ann}],
        )
        self.call_kw("contoso.loyalty.member", "action_confirm_match", [[card_1]])
        self.call_kw("contoso.loyalty.member", "action_reject_match", [[card_2]])
        self.call_kw(
            "contoso.loyalty.member",
            "write",
            [[card_2], {"candidate_partner_id": False}],
        )
        return card_1, card_2

    def _assert_list_search_is_what_is_shown(self, lang, needle):
        shown = self._whys(lang)
        containing = {
            ref for ref, why in shown.items() if needle.lower() in (why or "").lower()
        }
        found = self._list(lang, [("match_reason", "ilike", needle)])
        self.assertEqual(
            {r["loyalty_ref"] for r in found["records"]}, containing, (needle, shown)
        )
        self.assertEqual(found["length"], len(containing))
        others = self._list(lang, [("match_reason", "not ilike", needle)])
        self.assertEqual(
            {r["loyalty_ref"] for r in others["records"]},
            set(shown) - containing,
            (needle, shown),
        )

    # -- reading and searching ------------------------------------------------

    def test_every_role_reads_the_hand_reasons_in_his_language(self):
        # held
        self._setup_hand_cards()
        self.login(self.sally)
        english = self._whys("en_US")
        self.assertTrue(
            english["LOYID_1"].startswith(
                "another contact chosen by a person (the reasons below are about "
                "the contact the import found: Reasons About); "
            ),
            english,
        )
        self.assertIn("(May 6, 1980)", english["LOYID_1"])
        self.login(self.maria)
        french = self._whys("fr_FR")
        self.assertTrue(
            french["LOYID_2"].startswith(
                "contact retiré par une personne (les raisons ci-dessous concernent "
                "le contact trouvé par l'import : Raisons concernant); "
            ),
            french,
        )
        self.assertIn("(6 mai 1980)", french["LOYID_1"])

    def test_the_french_list_filtered_on_a_person_is_what_is_shown(self):
        # held: the words every hand reason shares
        self._setup_hand_cards()
        self.login(self.maria)
        self._assert_list_search_is_what_is_shown("fr_FR", "par une personne")

    def test_the_french_list_filtered_on_retire_is_what_is_shown(self):
        # "retiré" is said by LOYID_2 only; the filter and its count find
        # LOYID_1 too (any hand code finds every card chosen by hand)
        self._setup_hand_cards()
        self.login(self.maria)
        self._assert_list_search_is_what_is_shown("fr_FR", "retiré")

    # -- writing ------------------------------------------------------------------

    def test_salesperson_cannot_write_reasons_about_over_rpc(self):
        # held
        card_1, _card_2 = self._setup_hand_cards()
        zoe = self._id("res.partner", "contoso_contact_ref", "C1")
        self.login(self.sally)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.call_kw(
                "contoso.loyalty.member",
                "write",
                [[card_1], {"match_reason_partner_id": False}],
            )
        self.assertIn("AccessError", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(
            self.env["contoso.loyalty.member"]
            .browse(card_1)
            .match_reason_partner_id.id,
            zoe,
        )

    def test_manager_cannot_rewrite_reasons_about_over_rpc(self):
        # Reasons About is readonly in the form only: the French manager
        # empties it over call_kw on the card a person confirmed to Ann, and
        # Why now says "the import found none" above reasons about Zoé.
        card_1, _card_2 = self._setup_hand_cards()
        self.login(self.maria)
        with mute_logger("odoo.http"):
            reply = self.call_kw_reply(
                "contoso.loyalty.member",
                "write",
                [[card_1], {"match_reason_partner_id": False}],
            )
        self.login(self.sally)
        why = self._whys("en_US")["LOYID_1"]
        self.assertNotIn("the import found none", why, reply)
        # refused (AccessError, since f839ceb): Why reads as before
        self.assertIn("error", reply, reply)
        self.assertTrue(why.startswith("another contact chosen by a person"), why)

    # -- another company ------------------------------------------------------

    def test_the_form_of_a_card_whose_imports_contact_she_cannot_read(self):
        # Zoé, the contact the import found, moved to company B. Dora, data
        # admin of company A only, opens the card. Found on d820455: Why hid
        # the name while the field Reasons About, next to it, showed it. Why
        # names nobody since f839ceb; the field shows the name as every
        # many2one of Odoo does (Contact and Proposed Contact too), and she
        # cannot open that contact.
        card_1, _card_2 = self._setup_hand_cards()
        company_b = self.env["res.company"].create({"name": "Contoso HR B"})
        zoe = self.env["res.partner"].browse(
            self._id("res.partner", "contoso_contact_ref", "C1")
        )
        zoe.company_id = company_b
        dora = rpc_user(
            self.env,
            "rpc_hr_dora",
            "base.group_user,contoso_sales.group_data_admin",
            company_ids=[Command.set(self.env.company.ids)],
        )
        self.login(dora)
        [form] = self.call_kw(
            "contoso.loyalty.member",
            "web_read",
            [[card_1]],
            {"specification": FORM_SPEC, "context": {"lang": "en_US"}},
        )
        self.assertTrue(
            form["match_reason"].startswith(
                "another contact chosen by a person (the reasons below are about "
                "the contact the import found: Reasons About)"
            ),
            form,
        )
        self.assertNotIn("Zoé", form["match_reason"])
        self.assertEqual(form["match_reason_partner_id"]["id"], zoe.id)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.call_kw(
                "res.partner",
                "web_read",
                [[zoe.id]],
                {"specification": {"name": {}}},
            )
        self.assertIn("AccessError", str(caught.exception))
