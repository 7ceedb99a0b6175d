import xmlrpc.client

from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .http_common import ContosoHttpCase, rpc_salesperson


@tagged("post_install", "-at_install", "contoso_http")
class TestGateOverRpc(ContosoHttpCase):
    """The gate holds for clients that never open a form: JSON-RPC and XML-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sally = rpc_salesperson(cls.env)
        cls.team = cls.env.ref("contoso_sales.team_contoso")
        cls.close = cls.env.ref("contoso_sales.stage_close")
        cls.tech_check = cls.env.ref("contoso_sales.stage_tech_check")
        cls.deal = cls.env["crm.lead"].create(
            {
                "name": "RPC alarm rollout",
                "type": "opportunity",
                "team_id": cls.team.id,
                "user_id": cls.sally.id,
                "stage_id": cls.tech_check.id,
                "expected_revenue": 48000,
            }
        )

    def assertStillInTechCheck(self):
        self.deal.invalidate_recordset()
        self.assertEqual(self.deal.stage_id, self.tech_check)

    def test_json_rpc_write_create_and_won_are_refused(self):
        self.login(self.sally)
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.call_kw(
                "crm.lead", "write", [[self.deal.id], {"stage_id": self.close.id}]
            )
        self.assertStillInTechCheck()
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.call_kw("crm.lead", "action_set_won", [[self.deal.id]])
        self.assertStillInTechCheck()
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.call_kw(
                "crm.lead",
                "create",
                [
                    {
                        "name": "RPC straight to close",
                        "type": "opportunity",
                        "team_id": self.team.id,
                        "stage_id": self.close.id,
                        "expected_revenue": 30000,
                    }
                ],
                # a client may send any context key: none opens the gate
                {"context": {"tech_check_override": True, "skip_tech_check": True}},
            )
        self.assertFalse(
            self.env["crm.lead"].search([("name", "=", "RPC straight to close")])
        )

    def test_xml_rpc_write_is_refused_with_the_message(self):
        # Odoo's test proxy: a plain client is refused by the test server's guard.
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                self.sally.id,
                "rpc_sally_pw",
                "crm.lead",
                "write",
                [[self.deal.id], {"stage_id": self.close.id}],
            )
        self.assertIn(
            "Deal 'RPC alarm rollout' ($\xa048,000.00) needs a passed tech check "
            "before Close",
            caught.exception.faultString,
        )
        self.assertStillInTechCheck()
