from ast import literal_eval

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_family_hierarchy import FamilyCase

# What Top Customers must list: accounts and families that are companies, as
# res.partner's rules let the user read them (a search of the partners). Flags
# read in the view's row instead (2f23ecf, reverted) listed another company's
# holding, whose White Space then refused to open.
READABLE = [("family_id.is_company", "=", True), ("partner_id.is_company", "=", True)]


@tagged("post_install", "-at_install")
class TestTopCustomersVisibility(FamilyCase):
    """Top Customers lists what the partner search lists, for every role: a
    family the user cannot read (another company's holding) stays out, and
    every family listed opens its White Space."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "RT Company B"})
        cls.multi = new_test_user(
            cls.env,
            login="rt2_multi",
            groups="base.group_user,contoso_sales.group_sales_manager,"
            "base.group_multi_company",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id, cls.company_b.id],
        )
        # a holding of company B, its subsidiary shared by both companies
        cls.root = cls._company("RT Holding of B", company_id=cls.company_b.id)
        cls.sub = cls._company("RT Shared Sub", cls.root, company_id=False)
        cls.archived = cls._company("RT Archived Holding")
        cls.archived_sub = cls._company("RT Sub of Archived", cls.archived)
        cls.archived.active = False
        for partner, user in (
            (cls.sub, cls.salesperson),
            (cls.sub, cls.manager),
            (cls.archived_sub, cls.salesperson),
        ):
            cls._order(partner, [(cls.kit, 1, 600.0)], user=user)
        cls.accounts = (cls.sub | cls.archived_sub).ids
        cls.action_domain = literal_eval(
            cls.env.ref("contoso_sales.contoso_family_report_action").domain
        )

    def _rows(self, user, domain, **ctx):
        report = self.env["contoso.family.report"].with_user(user).with_context(**ctx)
        return report.search(domain + [("partner_id", "in", self.accounts)])

    def test_action_domain_lists_only_readable_families(self):
        # the case: a shared subsidiary whose family is company B's holding
        self.assertEqual(self.sub.contoso_family_id, self.root)
        self.assertFalse(self.sub.company_id)
        a, ab = [self.company_a.id], [self.company_a.id, self.company_b.id]
        for label, user, ctx, accounts in (
            ("salesperson", self.salesperson, {}, self.archived_sub),
            ("manager", self.manager, {}, self.archived_sub),
            (
                "multi-company, A allowed",
                self.multi,
                {"allowed_company_ids": a},
                self.archived_sub,
            ),
            (
                "multi-company, A and B",
                self.multi,
                {"allowed_company_ids": ab},
                self.sub | self.archived_sub,
            ),
        ):
            with self.subTest(label):
                rows = self._rows(user, self.action_domain, **ctx)
                self.assertEqual(rows.partner_id, accounts)
                self.assertEqual(rows, self._rows(user, READABLE, **ctx))

    def test_every_listed_family_opens_its_white_space(self):
        """Each family group of the list has a White Space button."""
        report = self.env["contoso.family.report"].with_user(self.salesperson)
        groups = report.web_read_group(
            self.action_domain + [("partner_id", "in", self.accounts)],
            ["family_id"],
            ["amount:sum"],
            groupby_read_specification={"family_id": {}},
        )["groups"]
        self.env.invalidate_all()
        for group in groups:
            family = self.env["res.partner"].with_user(self.salesperson)
            family = family.browse(group["family_id"][0])
            with self.subTest(group["family_id"][1]):
                try:
                    family.action_contoso_white_space()
                except AccessError as error:
                    self.fail(f"{group['family_id'][1]}: {error}")
