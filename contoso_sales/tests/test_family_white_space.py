import ast

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .test_family_hierarchy import FamilyCase


@tagged("post_install", "-at_install")
class TestWhiteSpace(FamilyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = cls._company(
            "T Holding", user=cls.manager, contoso_standard_discount=10.0
        )
        cls.sub_a = cls._company("T Sub A", cls.root, user=cls.salesperson)
        cls.sub_b = cls._company("T Sub B", cls.root, user=cls.manager)
        # A buys kits (20, then 40) and installation; B buys cameras only.
        cls._order(cls.sub_a, [(cls.kit, 20, 540.0), (cls.install, 5, 150.0)])
        cls._order(cls.sub_a, [(cls.kit, 40, 540.0)])
        cls._order(cls.sub_b, [(cls.camera, 10, 180.0)])
        cls.WhiteSpace = cls.env["contoso.white.space"]

    def _cells(self, matrix):
        names = {c["id"]: c["name"] for c in matrix["columns"]}
        return {
            (row["name"], names[cell["column_id"]]): cell
            for row in matrix["rows"]
            for cell in row["cells"]
        }

    def test_matrix_by_category(self):
        matrix = self.WhiteSpace.with_user(self.manager).get_matrix(self.sub_b.id)
        self.assertEqual(matrix["family_name"], "T Holding")
        self.assertEqual(
            [c["name"] for c in matrix["columns"]], ["T Security", "T Services"]
        )
        self.assertEqual(
            [r["name"] for r in matrix["rows"]],
            ["T Holding", "T Sub A", "T Sub B"],
        )
        cells = self._cells(matrix)
        self.assertEqual(cells["T Sub A", "T Security"]["amount"], 32400.0)
        self.assertFalse(cells["T Sub A", "T Security"]["gap"])
        services_gap = cells["T Sub B", "T Services"]
        self.assertTrue(services_gap["gap"])
        # Priced with the family's best seller of the column: list price less
        # the company's discount (10%, from the family), times the quantity a
        # buying company took.
        self.assertEqual(services_gap["product_id"], self.install.id)
        self.assertEqual(services_gap["quantity"], 5)
        self.assertEqual(services_gap["discount"], 10.0)
        self.assertEqual(services_gap["potential"], 675.0)
        security_gap = cells["T Holding", "T Security"]
        self.assertEqual(security_gap["product_id"], self.kit.id)
        self.assertEqual(security_gap["quantity"], 60)  # the one buyer took 60
        gaps = [c for c in cells.values() if c["gap"]]
        self.assertEqual(matrix["gaps"], 3)
        self.assertEqual(matrix["potential"], sum(c["potential"] for c in gaps))

    def test_matrix_by_product(self):
        matrix = self.WhiteSpace.with_user(self.manager).get_matrix(
            self.root.id, by="product"
        )
        self.assertEqual(
            [c["name"] for c in matrix["columns"]], ["T Kit", "T Camera", "T Install"]
        )
        cells = self._cells(matrix)
        kit_gap = cells["T Sub B", "T Kit"]
        self.assertEqual((kit_gap["quantity"], kit_gap["potential"]), (60, 32400.0))
        with self.assertRaisesRegex(UserError, "by 'category' or 'product'"):
            self.WhiteSpace.get_matrix(self.root.id, by="colour")

    def test_cross_sell_deal_from_a_gap(self):
        sub_c = self._company("T Sub C", self.root, user=self.salesperson)
        as_sally = self.WhiteSpace.with_user(self.salesperson)
        action = as_sally.create_cross_sell(sub_c.id, self.kit.id, by="product")
        deal = self.env["crm.lead"].browse(action["res_id"])
        self.assertEqual(deal.partner_id, sub_c)
        self.assertEqual(deal.user_id, self.salesperson)
        self.assertEqual(deal.type, "opportunity")
        self.assertEqual(deal.tag_ids, self.env.ref("contoso_sales.crm_tag_cross_sell"))
        line = deal.deal_line_ids
        self.assertEqual(
            (line.product_id, line.product_uom_qty, line.price_unit, line.discount),
            (self.kit, 60.0, 600.0, 10.0),
        )
        self.assertEqual(deal.expected_revenue, 32400.0)

        # The gap now shows the open deal, and a second click is refused.
        matrix = as_sally.get_matrix(self.root.id, by="product")
        cell = self._cells(matrix)["T Sub C", "T Kit"]
        self.assertEqual(cell["deal_id"], deal.id)
        self.assertNotIn(
            32400.0,
            [
                c.get("potential")
                for c in matrix["rows"][3]["cells"]
                if not c.get("deal_id")
            ],
        )
        with self.assertRaisesRegex(UserError, "already has the open cross-sell deal"):
            as_sally.create_cross_sell(sub_c.id, self.kit.id, by="product")
        with self.assertRaisesRegex(UserError, "no gap to cross-sell"):
            as_sally.create_cross_sell(self.sub_a.id, self.kit.id, by="product")

    def test_deal_goes_to_the_subsidiary_salesperson(self):
        # Sally may not create Maria's deal ...
        with self.assertRaises(UserError) as caught:
            self.WhiteSpace.with_user(self.salesperson).create_cross_sell(
                self.sub_b.id, self.categ_services.id
            )
        self.assertEqual(
            str(caught.exception),
            "The cross-sell deal for 'T Sub B' would belong to its "
            "salesperson Test Maria, and you may only create your own deals. Ask "
            "Test Maria or a sales manager.",
        )
        self.assertFalse(
            self.env["crm.lead"].search([("partner_id", "=", self.sub_b.id)])
        )
        # ... a manager may, and it goes to the subsidiary's salesperson.
        self.sub_b.user_id = self.salesperson
        action = self.WhiteSpace.with_user(self.manager).create_cross_sell(
            self.sub_b.id, self.categ_services.id
        )
        deal = self.env["crm.lead"].browse(action["res_id"])
        self.assertEqual(deal.user_id, self.salesperson)
        self.assertEqual(deal.deal_line_ids.product_id, self.install)
        self.assertIn("T Services", deal.name)

    def test_gaps_are_the_same_for_every_viewer(self):
        # Sub B's camera order is Maria's: Sally may not read it, yet Sub B
        # bought cameras. Not a gap for her either, and no amount shown.
        as_sally = self.WhiteSpace.with_user(self.salesperson).get_matrix(self.root.id)
        as_maria = self.WhiteSpace.with_user(self.manager).get_matrix(self.root.id)

        def gaps(matrix):
            return {
                key: (cell["potential"], cell["product_id"], cell["quantity"])
                for key, cell in self._cells(matrix).items()
                if cell["gap"]
            }

        self.assertEqual(gaps(as_sally), gaps(as_maria))
        self.assertEqual(len(gaps(as_sally)), 3)
        self.assertEqual(as_sally["potential"], as_maria["potential"])
        self.assertEqual(as_sally["gaps"], as_maria["gaps"])
        self.assertEqual(as_sally["columns"], as_maria["columns"])

        cell = self._cells(as_sally)["T Sub B", "T Security"]
        self.assertFalse(cell["gap"])
        self.assertTrue(cell["hidden"])
        self.assertEqual(cell["amount"], 0.0)
        sub_b = next(r for r in as_sally["rows"] if r["name"] == "T Sub B")
        self.assertEqual(sub_b["total"], 0.0)
        self.assertTrue(sub_b["hidden"])
        # Maria's 10 cameras at 180: nowhere in what Sally receives.
        self.assertNotIn("1800.0", repr(as_sally))
        self.assertIn("1800.0", repr(as_maria))
        maria_cell = self._cells(as_maria)["T Sub B", "T Security"]
        self.assertEqual((maria_cell["amount"], maria_cell["hidden"]), (1800.0, False))
        # Sally's own amounts stay hers to see.
        self.assertEqual(
            self._cells(as_sally)["T Sub A", "T Security"]["amount"], 32400.0
        )

    def test_a_colleague_open_deal_is_no_gap_to_pitch_again(self):
        sub_c = self._company("T Sub C", self.root, user=self.manager)
        action = self.WhiteSpace.with_user(self.manager).create_cross_sell(
            sub_c.id, self.kit.id, by="product"
        )
        as_sally = self.WhiteSpace.with_user(self.salesperson)
        matrix = as_sally.get_matrix(self.root.id, by="product")
        cell = self._cells(matrix)["T Sub C", "T Kit"]
        self.assertTrue(cell["deal_open"])
        self.assertFalse(cell["deal_id"])
        self.assertFalse(cell["deal_name"])
        maria = self.WhiteSpace.with_user(self.manager).get_matrix(
            self.root.id, by="product"
        )
        self.assertEqual(
            self._cells(maria)["T Sub C", "T Kit"]["deal_id"], action["res_id"]
        )
        self.assertEqual(matrix["potential"], maria["potential"])
        with self.assertRaisesRegex(UserError, "owned by another salesperson"):
            as_sally.create_cross_sell(sub_c.id, self.kit.id, by="product")

    def test_top_customers_lists_company_families_only(self):
        Partner = self.env["res.partner"]
        joel = Partner.create({"name": "T Joel Willis"})
        home = Partner.create({"name": "T Household"})
        ann = Partner.create({"name": "T Ann", "parent_id": home.id})
        contact = Partner.create({"name": "T Buyer", "parent_id": self.sub_a.id})
        for partner in (joel, ann, contact):
            self._order(partner, [(self.kit, 1, 540.0)], user=self.manager)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "contoso_sales.contoso_family_report_action"
        )
        rows = (
            self.env["contoso.family.report"]
            .with_user(self.manager)
            .search(ast.literal_eval(action["domain"]))
        )
        self.assertFalse(rows.partner_id.filtered(lambda p: not p.is_company))
        self.assertFalse((joel | ann | home) & (rows.partner_id | rows.family_id))
        # a company's contact buys for the company: counted in its family
        self.assertEqual(
            sum(rows.filtered(lambda r: r.partner_id == self.sub_a).mapped("amount")),
            32400.0 + 750.0 + 540.0,
        )

    def test_amounts_of_several_companies_in_one_currency(self):
        other = self.env.ref("base.EUR")
        if self.env.company.currency_id == other:
            other = self.env.ref("base.USD")
        other.active = True
        europe = self.env["res.company"].create(
            {"name": "Contoso Europe", "currency_id": other.id}
        )
        # 1 in our currency = 2 of the other one
        self.env["res.currency.rate"].create(
            {"currency_id": other.id, "rate": 2.0, "name": "2020-01-01"}
        )
        order = (
            self.env["sale.order"]
            .with_context(allowed_company_ids=europe.ids)
            .create(
                {
                    "partner_id": self.sub_b.id,
                    "company_id": europe.id,
                    "user_id": self.manager.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.camera.id,
                                "product_uom_qty": 10,
                                "price_unit": 180.0,
                                "discount": 0.0,
                                "tax_ids": False,
                            }
                        )
                    ],
                }
            )
        )
        order.action_confirm()
        order.date_order = "2025-03-10 10:00:00"
        bea = new_test_user(
            self.env,
            login="t_bea",
            name="Test Bea",
            groups="base.group_user,contoso_sales.group_sales_manager",
            company_ids=[Command.set((self.env.company | europe).ids)],
        )
        both = self.env(
            user=bea,
            context={"allowed_company_ids": (self.env.company | europe).ids},
        )
        only_ours = self.env(
            user=bea, context={"allowed_company_ids": self.env.company.ids}
        )
        for env, security in ((both, 2700.0), (only_ours, 1800.0)):
            matrix = env["contoso.white.space"].get_matrix(self.root.id)
            cells = self._cells(matrix)
            self.assertEqual(cells["T Sub B", "T Security"]["amount"], security)
            revenue = self.sub_b.with_env(env).with_context(
                contoso_date_from="2025-01-01"
            )
            self.assertEqual(revenue.contoso_revenue, security)

    def test_no_white_space_of_another_companys_family(self):
        # A family of a company Sally does not work for: neither its matrix
        # nor a cross-sell deal for one of its accounts.
        europe = self.env["res.company"].create({"name": "T Contoso Europe"})
        holding = self._company("T Euro Holding", company_id=europe.id)
        sub = self._company("T Euro Sub", holding, company_id=europe.id)
        as_sally = self.WhiteSpace.with_user(self.salesperson)
        with self.assertRaises(AccessError):
            as_sally.get_matrix(holding.id)
        with self.assertRaises(AccessError):
            as_sally.create_cross_sell(sub.id, self.kit.id, by="product")
