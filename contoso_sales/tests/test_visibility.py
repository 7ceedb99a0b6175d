from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestVisibility(ContosoCase):
    """What each role reads follows the deal and the company: tech checks and
    deal lines follow their deal; revenue is summed within the user's companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_two_teams()
        cls.company_b = cls.env["res.company"].create({"name": "Contoso Europe"})
        cls.carl = new_test_user(
            cls.env,
            login="t_carl",
            name="Test Carl",
            groups="base.group_user,contoso_sales.group_technical_consultant",
            company_ids=[Command.set((cls.company | cls.company_b).ids)],
        )
        cls.users = {
            "salesperson": cls.salesperson,
            "consultant": cls.consultant,
            "manager": cls.manager,
            "sales user": new_test_user(
                cls.env,
                login="t_sam",
                name="Test Sam",
                groups="base.group_user,sales_team.group_sale_salesman",
            ),
            "data admin": cls.data_admin,
            "two companies": new_test_user(
                cls.env,
                login="t_bea",
                name="Test Bea",
                groups="base.group_user,contoso_sales.group_sales_manager",
                company_ids=[Command.set((cls.company | cls.company_b).ids)],
            ),
        }

        def deal(name, user, team, amount=5000, company=None):
            return {
                "name": name,
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "user_id": user.id,
                "team_id": team.id,
                "expected_revenue": amount,
                "company_id": (company or cls.company).id,
            }

        nobody = cls.env["res.users"]
        cls.deals = cls.env["crm.lead"].create(
            [
                deal("Sally's deal", cls.salesperson, cls.team),
                deal("Unassigned deal", nobody, cls.resellers),
                deal("Otto shared", cls.otto, cls.team),
                deal("Otto unshared", cls.otto, cls.resellers),
                deal("Otto to check", cls.otto, cls.resellers, 48000),
                deal("Otto checked by Tom", cls.otto, cls.resellers),
                deal("Europe deal", nobody, cls.resellers, company=cls.company_b),
            ]
        )
        cls.checks = cls.env["contoso.tech.check"].create(
            [
                {
                    "lead_id": lead.id,
                    "consultant_id": (
                        cls.consultant
                        if lead.name == "Otto checked by Tom"
                        else cls.carl
                    ).id,
                    "details": f"<p>Secret survey of {lead.name}</p>",
                    "result": "fail",
                }
                for lead in cls.deals
            ]
        )

    def _checks_of_readable_deals(self, env):
        deals = env["crm.lead"].search([("id", "in", self.deals.ids)])
        return self.checks.filtered(lambda c: c.lead_id in deals)

    def test_tech_checks_follow_their_deal(self):
        for role, user in self.users.items():
            env = self.env(user=user)
            with self.subTest(role=role):
                expected = self._checks_of_readable_deals(env)
                Check = env["contoso.tech.check"]
                found = Check.search([("id", "in", self.checks.ids)])
                self.assertEqual(found, expected.with_env(env))
                # the details of the others are out of reach too
                groups = Check.read_group(
                    [("id", "in", self.checks.ids)], ["details:count"], ["lead_id"]
                )
                self.assertEqual(
                    {g["lead_id"][0] for g in groups}, set(expected.lead_id.ids)
                )
                for check in self.checks - expected:
                    self.assertFalse(check.with_env(env).has_access("read"))
                    with self.assertRaises(AccessError):
                        check.with_env(env).read(["details"])

    def test_salesperson_reads_no_check_of_deals_she_cannot_open(self):
        env = self.env(user=self.salesperson)
        readable = env["contoso.tech.check"].search([]).lead_id.mapped("name")
        self.assertEqual(
            sorted(readable), ["Otto shared", "Sally's deal", "Unassigned deal"]
        )

    def test_tech_checks_follow_the_company(self):
        europe = self.checks.filtered(lambda c: c.lead_id.name == "Europe deal")
        bea = self.users["two companies"]
        only_a = self.env(user=bea, context={"allowed_company_ids": self.company.ids})
        both = self.env(
            user=bea,
            context={"allowed_company_ids": (self.company | self.company_b).ids},
        )
        self.assertFalse(only_a["contoso.tech.check"].search([("id", "=", europe.id)]))
        self.assertEqual(
            both["contoso.tech.check"].search([("id", "=", europe.id)]).id, europe.id
        )
        # a manager of company A only never reads it
        self.assertFalse(
            self.env(user=self.manager)["contoso.tech.check"].search(
                [("id", "=", europe.id)]
            )
        )

    def test_consultant_cannot_open_a_deal_by_logging_a_check(self):
        """Logging a check on any deal would make it "checked by them", which
        opens the deal. The check reads its deal's amount as the consultant, so
        a deal they cannot read refuses the check: this pins it."""
        unshared = self.deals.filtered(lambda d: d.name == "Otto unshared")
        Check = self.env["contoso.tech.check"].with_user(self.consultant)
        with self.assertRaises(AccessError):
            Check.create(
                {"lead_id": unshared.id, "details": "<p>x</p>", "result": "fail"}
            )
        self.assertFalse(unshared.with_user(self.consultant).has_access("read"))
        to_check = self.deals.filtered(lambda d: d.name == "Otto to check")
        check = Check.create(
            {"lead_id": to_check.id, "details": "<p>Survey</p>", "result": "fail"}
        )
        self.assertEqual(check.consultant_id, self.consultant)

    def test_plain_internal_user_reads_no_check(self):
        employee = self._role_user("employee")
        with self.assertRaises(AccessError):
            self.env["contoso.tech.check"].with_user(employee).search([])

    def test_consultant_reads_the_lines_of_the_deal_to_check(self):
        to_check = self.deals.filtered(lambda d: d.name == "Otto to check")
        # the lines keep the deal above the threshold: still Tom's to check
        product = self.env["product.product"].create(
            {"name": "Alarm", "list_price": 48000}
        )
        to_check.deal_line_ids = [Command.create({"product_id": product.id})]
        lines = self.env["contoso.deal.line"].with_user(self.consultant)
        self.assertEqual(
            lines.search([("lead_id", "=", to_check.id)]).product_id, product
        )
        self.assertFalse(
            self.env["contoso.deal.line"]
            .with_user(self.salesperson)
            .search([("lead_id", "=", to_check.id)])
        )
