from lxml import etree
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestFastCountsRoles(ContosoCase):
    """The deal form as each role's web client reads it (get_views, then
    web_read of every field of the form): it loads, and the counts read from
    the one2many (tech checks, quotation iterations, nurturing) are what a
    read group as that role finds, as 86ccb64 computed them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_two_teams()
        cls.company.contoso_nurture_auto_enrol = True
        cls.other_company = cls.env["res.company"].create({"name": "T Contoso B"})
        cls.two_companies = new_test_user(
            cls.env,
            login="t_mia",
            name="Test Mia",
            groups="base.group_user,contoso_sales.group_sales_manager",
            company_id=cls.other_company.id,
            company_ids=[Command.set([cls.company.id, cls.other_company.id])],
        )
        cls.deal = (
            cls.env["crm.lead"]
            .with_user(cls.salesperson)
            .create(
                {
                    "name": "T Fabrikam HQ alarm",
                    "type": "opportunity",
                    "partner_id": cls.customer.id,
                    "team_id": cls.team.id,
                    "user_id": cls.salesperson.id,
                    "expected_revenue": 25000,
                }
            )
            .with_env(cls.env)
        )
        orders = cls.env["sale.order"].create(
            [
                {
                    "partner_id": cls.customer.id,
                    "opportunity_id": cls.deal.id,
                    "user_id": user.id,
                }
                for user in (
                    cls.salesperson,
                    cls.salesperson,
                    cls.otto,
                    cls.salesperson,
                )
            ]
        )
        orders[1].action_cancel()
        cls.env["contoso.tech.check"].create(
            {
                "lead_id": cls.deal.id,
                "consultant_id": cls.consultant.id,
                "details": "<p>Survey</p>",
                "result": "fail",
            }
        )

    def _expected(self, user):
        env = self.env(user=user)
        found = env["sale.order"]._read_group(
            [("opportunity_id", "=", self.deal.id), ("state", "!=", "cancel")],
            [],
            ["__count", "id:max"],
        )[0]
        try:
            enrolments = env["contoso.nurture.enrolment"].search_count(
                [("lead_id", "=", self.deal.id)]
            )
        except AccessError:
            enrolments = 0
        checks = env["contoso.tech.check"].search_count(
            [("lead_id", "=", self.deal.id)]
        )
        return {
            "contoso_quote_iteration_count": found[0],
            "contoso_latest_quote_id": found[1] or False,
            "tech_check_count": checks,
            "contoso_nurture_count": enrolments,
        }

    def test_every_role_reads_the_form_with_the_read_group_counts(self):
        self.assertTrue(self.deal.contoso_nurture_enrolment_ids)
        for user in (
            self.salesperson,
            self.otto,
            self.consultant,
            self.manager,
            self.two_companies,
        ):
            with self.subTest(user=user.login):
                self.env.invalidate_all()
                Lead = self.env["crm.lead"].with_user(user)
                views = Lead.get_views([(False, "form")])
                fields_of = views["models"]["crm.lead"]["fields"]
                arch = etree.fromstring(views["views"]["form"]["arch"])
                spec = {
                    node.get("name"): {}
                    for node in arch.iter("field")
                    if node.get("name") in fields_of
                    and node.getparent().tag not in ("list", "kanban")
                }
                (values,) = Lead.browse(self.deal.id).web_read(spec)
                # not on the form (its amount is): read with the same compute
                values["contoso_latest_quote_id"] = Lead.browse(
                    self.deal.id
                ).contoso_latest_quote_id.id
                expected = self._expected(user)
                self.assertEqual(
                    {name: values.get(name) for name in expected}, expected
                )
                action = Lead.browse(self.deal.id).action_contoso_nurture_history()
                if expected["contoso_nurture_count"]:
                    self.assertEqual(
                        self.env["contoso.nurture.enrolment"]
                        .with_user(user)
                        .search_count(action["domain"]),
                        expected["contoso_nurture_count"],
                    )

    def test_edited_deal_keeps_its_counts(self):
        deal = self.deal.with_user(self.salesperson)
        edited = deal.new(origin=deal)
        self.assertEqual(edited.contoso_nurture_count, 1)
        self.assertEqual(edited.contoso_quote_iteration_count, 2)
        self.assertEqual(edited.tech_check_count, 1)
        latest = max(self._expected(self.salesperson)["contoso_latest_quote_id"], 0)
        self.assertTrue(latest)
        self.assertEqual(edited.contoso_latest_quote_id._origin.id, latest)
