"""Red team over HTTP (Odoo's runner: contoso_http) of the loyalty match
reasons read in each reader's language: a French data administrator imports
over JSON-RPC, a salesperson and a manager read the list as the web client
does, and what a data administrator may write over call_kw in place of the
import's codes."""

import base64
import json

from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..datahub.matching import REASON_TEMPLATES
from .datahub_common import CONTACTS, LOYALTY
from .http_common import ContosoHttpCase, rpc_user

PEOPLE = CONTACTS + "C1,Zoé,Dupont,,zoe.dupont@example.com,1980-05-06,,,,,,\r\n"
MEMBERS = (
    LOYALTY
    + 'LOYID_H1,"Dupont, Zoe",,1980-05-06,,120,\r\n'
    + "LOYID_H2,Xavier Quill,xq@example.org,,,0,C9\r\n"
)
# the list of loyalty members as the web client reads it
LIST_SPEC = {
    "loyalty_ref": {},
    "name": {},
    "match_state": {},
    "match_reason": {},
}


class FrenchReasonHttpCase(ContosoHttpCase):
    """A French data administrator who imports over JSON-RPC, a salesperson
    and a French sales manager (logins prefixed with LOGIN_PREFIX)."""

    LOGIN_PREFIX = "rpc_rr"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_and_install_lang("fr_FR")
        prefix = cls.LOGIN_PREFIX
        cls.dana = rpc_user(
            cls.env,
            f"{prefix}_dana",
            "base.group_user,contoso_sales.group_data_admin",
            lang="fr_FR",
        )
        cls.sally = rpc_user(
            cls.env,
            f"{prefix}_sally",
            "base.group_user,contoso_sales.group_salesperson",
        )
        cls.maria = rpc_user(
            cls.env,
            f"{prefix}_maria",
            "base.group_user,contoso_sales.group_sales_manager",
            lang="fr_FR",
        )

    def _import(self, source, text):
        ctx = {"lang": "fr_FR"}
        wizard = self.call_kw(
            "contoso.import.wizard",
            "create",
            [
                {
                    "source": source,
                    "file": base64.b64encode(text.encode()).decode(),
                    "filename": f"{source}.csv",
                    "dry_run": False,
                }
            ],
            {"context": ctx},
        )
        self.call_kw(
            "contoso.import.wizard", "action_import", [[wizard]], {"context": ctx}
        )


@tagged("post_install", "-at_install", "contoso_http")
class TestHttpLoyaltyReasonRedTeam(FrenchReasonHttpCase):
    def _list(self, lang):
        return self.call_kw(
            "contoso.loyalty.member",
            "web_search_read",
            [[("loyalty_ref", "like", "LOYID_H")]],
            {
                "specification": LIST_SPEC,
                "limit": 80,
                "count_limit": 10001,
                "context": {"lang": lang},
            },
        )["records"]

    def _card_id(self, ref):
        return self.env["contoso.loyalty.member"].search([("loyalty_ref", "=", ref)]).id

    def _setup_cards(self):
        self.login(self.dana)
        self._import("contacts", PEOPLE)
        self._import("loyalty", MEMBERS)

    def test_french_import_over_rpc_stores_codes_each_reads_his_language(self):
        self._setup_cards()
        self.env.cr.execute(
            "SELECT match_reason_data FROM contoso_loyalty_member "
            "WHERE loyalty_ref LIKE 'LOYID_H%%'"
        )
        for (data,) in self.env.cr.fetchall():
            for code, _values in json.loads(data):
                self.assertIn(code, REASON_TEMPLATES)
        self.login(self.sally)
        english = {r["loyalty_ref"]: r["match_reason"] for r in self._list("en_US")}
        self.assertEqual(
            english["LOYID_H2"],
            "ContactId C9 is unknown; no contact with this e-mail, name or birth date",
        )
        self.login(self.maria)
        french = {r["loyalty_ref"]: r["match_reason"] for r in self._list("fr_FR")}
        self.assertEqual(
            french["LOYID_H2"],
            "ContactId C9 inconnu; aucun contact avec cet e-mail, ce nom ou cette "
            "date de naissance",
        )

    def test_sorting_or_grouping_the_list_on_why_is_refused_cleanly(self):
        # the web client offers neither (fields_get: not sortable, not
        # groupable); a client sending it anyway gets an error, no data
        self._setup_cards()
        self.login(self.maria)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            self.call_kw(
                "contoso.loyalty.member",
                "web_search_read",
                [[]],
                {"specification": LIST_SPEC, "order": "match_reason desc"},
            )
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
            self.call_kw(
                "contoso.loyalty.member",
                "web_read_group",
                [[], ["match_reason"]],
                {"aggregates": ["__count"]},
            )

    def test_reasons_written_over_rpc_cannot_break_the_salespeoples_list(self):
        # Why (Codes) is readonly in the views only: a data administrator
        # writes it over call_kw. JSON nested 100,000 deep makes json.loads
        # raise RecursionError, which decode() does not catch: the list of
        # every salesperson and manager of the company fails while this card
        # is on the page.
        self._setup_cards()
        card = self._card_id("LOYID_H1")
        self.call_kw(
            "contoso.loyalty.member",
            "write",
            [[card], {"match_reason_data": "[" * 100_000}],
        )
        self.login(self.sally)
        try:
            rows = self._list("en_US")
        except JsonRpcException as error:
            self.fail(f"the salesperson's loyalty list fails: {str(error)[:200]}")
        self.assertEqual(len(rows), 2)
