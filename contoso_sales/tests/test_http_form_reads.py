"""The deal form's Similar Leads and the consultants' deals to check, over
JSON-RPC as the web client asks for them (`get_views`, then `web_read` of the
form's fields; `web_search_read` of the page), as each role."""

from odoo.tests import tagged

from .http_common import ContosoHttpCase, rpc_user


@tagged("post_install", "-at_install", "contoso_http")
class TestFormReadsOverRpc(ContosoHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "base.group_user,contoso_sales.group_{}"
        cls.sally = rpc_user(cls.env, "rpc_fr_sally", groups.format("salesperson"))
        cls.tom = rpc_user(cls.env, "rpc_fr_tom", groups.format("technical_consultant"))
        cls.tia = rpc_user(cls.env, "rpc_fr_tia", groups.format("technical_consultant"))
        cls.maria = rpc_user(cls.env, "rpc_fr_maria", groups.format("sales_manager"))
        team = cls.env.ref("contoso_sales.team_contoso")
        team.contoso_tech_check = True
        team.member_ids = [
            (4, user.id) for user in (cls.sally, cls.tom, cls.tia, cls.maria)
        ]
        cls.env.company.contoso_tech_check_threshold = 20000
        other_company = cls.env["res.company"].create({"name": "Contoso RPC Other"})
        head = cls.env["res.partner"].create({"name": "RPC Head", "is_company": True})
        buyer = cls.env["res.partner"].create(
            {"name": "RPC Buyer", "parent_id": head.id}
        )
        Lead = cls.env["crm.lead"]

        def deal(name, amount, **values):
            return Lead.create(
                {
                    "name": name,
                    "type": "opportunity",
                    "team_id": team.id,
                    "user_id": cls.sally.id,
                    "expected_revenue": amount,
                    **values,
                }
            )

        cls.deal = deal(
            "RPC alarm", 30000, partner_id=buyer.id, email_from="a@rpc.example"
        )
        # similar deals Sally may not read: archived, another company's
        deal("RPC archived", 1000, partner_id=head.id, active=False)
        Lead.create(
            {
                "name": "RPC other company",
                "email_from": "b@rpc.example",
                "company_id": other_company.id,
                "user_id": False,
            }
        )
        cls.small_by_tia = deal("RPC small, Tia's", 5000)
        cls.small_by_tom = deal("RPC small, Tom's", 6000)
        Check = cls.env["contoso.tech.check"]
        for lead, consultant in (
            (cls.small_by_tia, cls.tia),
            (cls.small_by_tom, cls.tom),
        ):
            Check.create(
                {
                    "lead_id": lead.id,
                    "consultant_id": consultant.id,
                    "result": "fail",
                    "details": "<p>Wiring to redo.</p>",
                }
            )

    def _form_values(self, deal):
        views = self.call_kw("crm.lead", "get_views", [], {"views": [[False, "form"]]})
        fields = views["models"]["crm.lead"]["fields"]
        self.assertIn("duplicate_lead_count", fields)
        self.assertIn("email_domain_criterion", fields)
        spec = dict.fromkeys(fields, {})
        [values] = self.call_kw(
            "crm.lead", "web_read", [[deal.id]], {"specification": spec}
        )
        return values

    def test_each_role_reads_the_form_with_its_similar_leads(self):
        for user in (self.sally, self.tom, self.maria):
            with self.subTest(user=user.login):
                self.login(user)
                values = self._form_values(self.deal)
                # the archived deal of the same company tree and the other
                # company's deal of the same e-mail domain, as Odoo counts them
                self.assertEqual(values["duplicate_lead_count"], 2)
                self.assertEqual(values["email_domain_criterion"], "@rpc.example")

    def test_each_consultant_reads_the_small_deal_he_checked_only(self):
        domain = [("id", "in", (self.deal + self.small_by_tia + self.small_by_tom).ids)]
        for user, own in ((self.tom, self.small_by_tom), (self.tia, self.small_by_tia)):
            with self.subTest(user=user.login):
                self.login(user)
                result = self.call_kw(
                    "crm.lead",
                    "web_search_read",
                    [domain],
                    {"specification": {"display_name": {}, "tech_check_badge": {}}},
                )
                self.assertEqual(
                    {record["id"] for record in result["records"]},
                    {self.deal.id, own.id},
                )
