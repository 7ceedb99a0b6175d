from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import ContosoCase

# The consultants' rules as they were before `tech_check_consultant_ids`
# (the one2many path): what the new field must grant, record for record.
OLD_DOMAINS = {
    "contoso_sales.crm_lead_rule_consultant_tech_checks": "['|', "
    "('tech_check_ids.consultant_id', '=', user.id), '&', "
    "('team_id.contoso_tech_check', '=', True), ('tech_check_required', '=', True)]",
    "contoso_sales.contoso_tech_check_rule_consultant": "['|', "
    "('lead_id.tech_check_ids.consultant_id', '=', user.id), '&', "
    "('lead_id.team_id.contoso_tech_check', '=', True), "
    "('lead_id.tech_check_required', '=', True)]",
    "contoso_sales.contoso_deal_line_rule_consultant": "['|', "
    "('lead_id.tech_check_ids.consultant_id', '=', user.id), '&', "
    "('lead_id.team_id.contoso_tech_check', '=', True), "
    "('lead_id.tech_check_required', '=', True)]",
    "contoso_sales.sale_order_rule_consultant": "[('opportunity_id', '!=', False), "
    "'|', ('opportunity_id.tech_check_ids.consultant_id', '=', user.id), '&', "
    "('opportunity_id.team_id.contoso_tech_check', '=', True), "
    "('opportunity_id.tech_check_required', '=', True)]",
    "contoso_sales.sale_order_line_rule_consultant": "[('order_id.opportunity_id', "
    "'!=', False), '|', "
    "('order_id.opportunity_id.tech_check_ids.consultant_id', '=', user.id), '&', "
    "('order_id.opportunity_id.team_id.contoso_tech_check', '=', True), "
    "('order_id.opportunity_id.tech_check_required', '=', True)]",
}
MODELS = {
    "crm.lead": "deals",
    "contoso.tech.check": "checks",
    "contoso.deal.line": "deal_lines",
    "sale.order": "orders",
    "sale.order.line": "order_lines",
}


@tagged("post_install", "-at_install")
class TestConsultantRuleAttack(ContosoCase):
    """The consultants' rules follow `tech_check_consultant_ids` (an
    uncorrelated subquery): every role reads exactly what the one2many path
    granted, over SQL and Python, for archived deals, two companies, a check
    handed to another consultant and merged deals."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_two_teams()
        cls.company_b = cls.env["res.company"].create({"name": "T Contoso Europe"})
        both = Command.set((cls.company | cls.company_b).ids)
        cls.carl = new_test_user(
            cls.env,
            login="t_carl",
            name="Test Carl",
            groups="base.group_user,contoso_sales.group_technical_consultant",
            company_ids=[both],
        )
        cls.tina = new_test_user(
            cls.env,
            login="t_tina",
            name="Test Tina",
            groups="base.group_user,contoso_sales.group_technical_consultant",
        )
        cls.bea = new_test_user(
            cls.env,
            login="t_bea",
            name="Test Bea",
            groups="base.group_user,contoso_sales.group_sales_manager",
            company_ids=[both],
        )
        cls.product = cls.env["product.product"].create(
            {"name": "T Sensor", "list_price": 100, "taxes_id": [Command.clear()]}
        )

        def deal(name, checker=None, company=None, amount=5000, **values):
            return dict(
                name=name,
                type="opportunity",
                partner_id=cls.customer.id,
                user_id=False if company else cls.otto.id,
                team_id=cls.resellers.id,
                expected_revenue=amount,
                company_id=(company or cls.company).id,
                deal_line_ids=[Command.create({"product_id": cls.product.id})],
                **values,
            )

        specs = [
            ("Tom's", cls.consultant, None),
            ("Carl's", cls.carl, None),
            ("Tom's archived", cls.consultant, None),
            ("Carl's in Europe", cls.carl, cls.company_b),
            ("Tom's in Europe", cls.consultant, cls.company_b),
            ("Handed from Tom to Tina", cls.consultant, None),
            ("Merge head", None, None),
            ("Merge tail, Tom's", cls.consultant, None),
            ("Nobody's", None, None),
            ("To check", None, None),
        ]
        deals = cls.env["crm.lead"].create(
            [
                deal(
                    name,
                    company=company,
                    amount=48000 if name == "To check" else 5000,
                )
                for name, _checker, company in specs
            ]
        )
        cls.by_name = dict(zip([s[0] for s in specs], deals, strict=True))
        cls.env["contoso.tech.check"].create(
            [
                {
                    "lead_id": lead.id,
                    "consultant_id": checker.id,
                    "details": f"<p>Survey of {lead.name}</p>",
                    "result": "fail",
                }
                for lead, (_name, checker, _company) in zip(deals, specs, strict=True)
                if checker
            ]
        )
        cls.env["sale.order"].create(
            [
                {
                    "partner_id": cls.customer.id,
                    "opportunity_id": lead.id,
                    "company_id": lead.company_id.id,
                    "user_id": lead.user_id.id,
                    "order_line": [Command.create({"product_id": cls.product.id})],
                }
                for lead in deals
            ]
        )
        cls.by_name["Handed from Tom to Tina"].tech_check_ids.consultant_id = cls.tina
        cls.by_name["Tom's archived"].active = False
        head = cls.by_name["Merge head"]
        tail = cls.by_name["Merge tail, Tom's"]
        (head | tail).with_user(cls.manager).merge_opportunity(
            user_id=cls.otto.id, team_id=cls.resellers.id
        )
        cls.deals = deals.exists()
        cls.records = {
            "deals": cls.deals,
            "checks": cls.deals.with_context(active_test=False).tech_check_ids,
            "deal_lines": cls.deals.deal_line_ids,
            "orders": cls.deals.order_ids,
            "order_lines": cls.deals.order_ids.order_line,
        }
        cls.readers = {
            "Tom": cls.env(user=cls.consultant),
            "Tina": cls.env(user=cls.tina),
            "Carl in A": cls.env(
                user=cls.carl, context={"allowed_company_ids": cls.company.ids}
            ),
            "Carl in A and B": cls.env(
                user=cls.carl,
                context={"allowed_company_ids": (cls.company | cls.company_b).ids},
            ),
            "Carl in B": cls.env(
                user=cls.carl, context={"allowed_company_ids": cls.company_b.ids}
            ),
            "Sally": cls.env(user=cls.salesperson),
            "Otto": cls.env(user=cls.otto),
            "Maria": cls.env(user=cls.manager),
            "Bea in A and B": cls.env(
                user=cls.bea,
                context={"allowed_company_ids": (cls.company | cls.company_b).ids},
            ),
        }

    def _visible(self):
        """{(reader, model): (ids found by search, ids passing has_access)}"""
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        seen = {}
        for reader, env in self.readers.items():
            for model, key in MODELS.items():
                records = self.records[key].with_env(env)
                found = (
                    env[model]
                    .with_context(active_test=False)
                    .search([("id", "in", records.ids)])
                )
                readable = records.with_context(active_test=False)._filtered_access(
                    "read"
                )
                seen[reader, model] = (sorted(found.ids), sorted(readable.ids))
        return seen

    def test_same_visibility_as_the_one2many_rules(self):
        now = self._visible()
        for (reader, model), (found, readable) in now.items():
            with self.subTest(reader=reader, model=model, path="sql = python"):
                self.assertEqual(found, readable)
        for xmlid, domain in OLD_DOMAINS.items():
            self.env.ref(xmlid).sudo().domain_force = domain
        before = self._visible()
        for key, seen in now.items():
            with self.subTest(reader=key[0], model=key[1], path="new = old"):
                self.assertEqual(seen, before[key])

    def test_what_tom_reads(self):
        tom = self.readers["Tom"]
        names = (
            tom["crm.lead"]
            .with_context(active_test=False)
            .search([("id", "in", self.deals.ids)])
            .mapped("name")
        )
        self.assertEqual(
            sorted(names), ["Merge head", "To check", "Tom's", "Tom's archived"]
        )

    def test_searching_checked_by_as_a_many2many(self):
        """`Checked By` is searchable like any many2many (a custom filter, a
        user's domain): SQL finds what the field holds. ``= False`` is a deal
        without check (it found none, and ``!= False`` every deal); "contains"
        and ``any`` on the consultants raised "Unsupported operator"."""
        bea = self.readers["Bea in A and B"]
        Lead = bea["crm.lead"].with_context(active_test=False)
        deals = self.deals.with_env(Lead.env)
        tom = self.consultant.id
        for domain in (
            [("tech_check_consultant_ids", "in", [tom])],
            [("tech_check_consultant_ids", "not in", [tom])],
            [("tech_check_consultant_ids", "!=", tom)],
            [("tech_check_consultant_ids", "=", False)],
            [("tech_check_consultant_ids", "!=", False)],
            [("tech_check_consultant_ids", "in", [tom, False])],
            [("tech_check_consultant_ids", "not in", [tom, False])],
            [("tech_check_consultant_ids", "ilike", "Test T")],
            [("tech_check_consultant_ids", "not ilike", "Test T")],
            [("tech_check_consultant_ids", "any", [("login", "=", "t_carl")])],
            [("tech_check_consultant_ids", "not any", [("login", "=", "t_carl")])],
        ):
            with self.subTest(domain=domain):
                self.assertEqual(
                    Lead.search([("id", "in", deals.ids), *domain]),
                    deals.filtered_domain(domain),
                )
        unchecked = Lead.search(
            [("id", "in", deals.ids), ("tech_check_consultant_ids", "=", False)]
        )
        self.assertEqual(sorted(unchecked.mapped("name")), ["Nobody's", "To check"])

    def test_a_check_handed_over_moves_access_in_the_same_transaction(self):
        deal = self.by_name["Tom's"]
        as_tom = deal.with_user(self.consultant)
        self.assertTrue(as_tom.has_access("read"))
        self.assertEqual(as_tom.tech_check_consultant_ids, self.consultant)
        deal.tech_check_ids.with_user(self.manager).consultant_id = self.tina
        self.assertFalse(as_tom.has_access("read"))
        self.assertFalse(as_tom.search([("id", "=", deal.id)]))
        self.assertTrue(deal.with_user(self.tina).has_access("read"))

    def test_checked_by_is_read_by_those_who_read_checks(self):
        """`Checked By` is computed as superuser: only those who may read the
        deal's checks read it. A portal partner reading the deals assigned to
        him (website_crm_partner_assign grants exactly this) must not learn who
        checked them (simulated here with a rule on the deal's customer)."""
        deal = self.by_name["Tom's"]
        partner = self.env["res.partner"].create({"name": "T Reseller"})
        deal.partner_id = partner
        portal = new_test_user(
            self.env, login="t_paul", groups="base.group_portal", partner_id=partner.id
        )
        self.env["ir.model.access"].create(
            {
                "name": "T portal reads deals",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "group_id": self.env.ref("base.group_portal").id,
                "perm_read": True,
            }
        )
        self.env["ir.rule"].create(
            {
                "name": "T portal reads assigned deals",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "groups": [Command.link(self.env.ref("base.group_portal").id)],
                "domain_force": "[('partner_id', '=', user.partner_id.id)]",
            }
        )
        as_portal = deal.with_user(portal)
        self.assertEqual(as_portal.read(["name"])[0]["name"], "Tom's")
        with self.assertRaises(AccessError):
            as_portal.tech_check_ids.read(["consultant_id"])
        with self.assertRaises(AccessError):
            as_portal.read(["tech_check_consultant_ids"])
        with self.assertRaises(AccessError):
            as_portal.search(
                [("tech_check_consultant_ids", "in", [self.consultant.id])]
            )
        # a salesperson reads who checked her deals, as she reads their checks
        sally_deal = self.env["crm.lead"].create(
            {"name": "T Sally's", "type": "opportunity", "user_id": self.salesperson.id}
        )
        self.env["contoso.tech.check"].create(
            {
                "lead_id": sally_deal.id,
                "consultant_id": self.consultant.id,
                "details": "<p>Survey</p>",
                "result": "fail",
            }
        )
        self.assertEqual(
            sally_deal.with_user(self.salesperson).tech_check_consultant_ids,
            self.consultant,
        )
