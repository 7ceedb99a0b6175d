from ast import literal_eval

from freezegun import freeze_time
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import ContosoCase


class FamilyCase(ContosoCase):
    """Companies, products and confirmed orders, built without demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.currency_id.active = True
        cls.categ_security = cls.env["product.category"].create({"name": "T Security"})
        cls.categ_services = cls.env["product.category"].create({"name": "T Services"})
        cls.kit = cls._product("T Kit", 600.0, cls.categ_security)
        cls.camera = cls._product("T Camera", 180.0, cls.categ_security)
        cls.install = cls._product("T Install", 150.0, cls.categ_services)

    @classmethod
    def _product(cls, name, price, categ):
        return cls.env["product.product"].create(
            {"name": name, "list_price": price, "categ_id": categ.id, "taxes_id": False}
        )

    @classmethod
    def _company(cls, name, parent=None, user=None, **vals):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "parent_id": parent.id if parent else False,
                "user_id": user.id if user else False,
                **vals,
            }
        )

    @classmethod
    def _order(cls, partner, lines, user=None, date="2025-03-10 10:00:00"):
        """A confirmed order; lines are (product, quantity, net unit price)."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": (user or partner.user_id).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "price_unit": price,
                            "discount": 0.0,
                            "tax_ids": False,
                        }
                    )
                    for product, qty, price in lines
                ],
            }
        )
        order.action_confirm()
        order.date_order = date
        return order


@tagged("post_install", "-at_install")
@freeze_time("2025-06-15")
class TestFamilyHierarchy(FamilyCase):
    def test_family_through_four_levels(self):
        root = self._company("T Holding")
        mid = self._company("T Region", root)
        low = self._company("T Branch", mid)
        leaf = self._company("T Store", low)
        contact = self.env["res.partner"].create(
            {"name": "T Clerk", "parent_id": leaf.id}
        )
        self.assertEqual(root.contoso_family_id, root)
        self.assertEqual((mid | low | leaf | contact).contoso_family_id, root)
        self.assertEqual(
            root.with_user(self.salesperson).contoso_family_company_count, 4
        )

    def test_reparenting_moves_the_subtree_and_its_revenue(self):
        root = self._company("T Holding", user=self.manager)
        other = self._company("T Other Group", user=self.manager)
        mid = self._company("T Region", root, user=self.manager)
        leaf = self._company("T Store", mid, user=self.manager)
        self._order(leaf, [(self.kit, 10, 600.0)])
        self._order(mid, [(self.camera, 5, 180.0)])
        root.invalidate_recordset()
        self.assertEqual(root.with_user(self.manager).contoso_family_revenue, 6900.0)

        mid.parent_id = other
        # Roll-ups are computed per request: read them afresh.
        self.env.invalidate_all()

        self.assertEqual((mid | leaf).contoso_family_id, other)
        # Stored: the database agrees with the cache.
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT contoso_family_id FROM res_partner WHERE id IN %s",
            [(mid.id, leaf.id)],
        )
        self.assertEqual({row[0] for row in self.env.cr.fetchall()}, {other.id})
        as_manager = (root | other).with_user(self.manager)
        self.assertEqual(as_manager[0].contoso_family_revenue, 0.0)
        self.assertEqual(as_manager[1].contoso_family_revenue, 6900.0)

        # A root of its own again: it is its own family, with its subsidiary.
        mid.parent_id = False
        self.assertEqual((mid | leaf).contoso_family_id, mid)

    def test_cycle_refused_with_a_clear_message(self):
        root = self._company("T Holding")
        mid = self._company("T Region", root)
        leaf = self._company("T Store", mid)
        self.maxDiff = None
        with self.assertRaises(ValidationError) as caught:
            root.write({"parent_id": leaf.id})
        self.assertEqual(
            str(caught.exception),
            "'T Holding' cannot have 'T Store' as parent company: 'T Store' "
            "already belongs to 'T Holding' (T Holding › T Region › T Store), so "
            "the family tree would loop. Choose a parent that is not one of its "
            "subsidiaries.",
        )
        root.invalidate_recordset()
        self.assertFalse(root.parent_id)
        self.assertEqual((root | mid | leaf).contoso_family_id, root)
        with self.assertRaisesRegex(ValidationError, "cannot be its own parent"):
            root.write({"parent_id": root.id})

    def test_rollup_equals_sum_of_subsidiaries_over_the_period(self):
        root = self._company("T Holding", user=self.manager)
        subs = [self._company(f"T Sub {i}", root, user=self.manager) for i in range(3)]
        grand = self._company("T Grandchild", subs[0], user=self.manager)
        self._order(subs[0], [(self.kit, 2, 600.0)])
        self._order(subs[1], [(self.camera, 3, 180.0), (self.install, 1, 150.0)])
        self._order(grand, [(self.install, 4, 150.0)])
        self._order(root, [(self.kit, 1, 600.0)])
        # outside the last 12 months: not counted by default
        self._order(subs[2], [(self.kit, 100, 600.0)], date="2024-01-10 10:00:00")
        members = (root | grand).union(*subs).with_user(self.manager)
        own = {p.name: p.contoso_revenue for p in members}
        self.assertEqual(
            own,
            {
                "T Holding": 600.0,
                "T Sub 0": 1200.0,
                "T Sub 1": 690.0,
                "T Sub 2": 0.0,
                "T Grandchild": 600.0,
            },
        )
        self.assertEqual(set(members.mapped("contoso_family_revenue")), {3090.0})
        self.assertEqual(sum(own.values()), members[0].contoso_family_revenue)

        # A chosen period: the whole of 2024 only.
        in_2024 = members.with_context(
            contoso_date_from="2024-01-01", contoso_date_to="2024-12-31"
        )
        self.assertEqual(in_2024[0].contoso_family_revenue, 60000.0)

    def test_contacts_orders_count_for_their_company(self):
        company = self._company("T Holding", user=self.manager)
        contact = self.env["res.partner"].create(
            {"name": "T Buyer", "parent_id": company.id}
        )
        self._order(contact, [(self.kit, 1, 600.0)], user=self.manager)
        self.assertEqual(company.with_user(self.manager).contoso_revenue, 600.0)

    def test_posted_invoice_without_order_counts_once(self):
        company = self._company("T Holding", user=self.manager)
        order = self._order(company, [(self.kit, 1, 600.0)])
        order._create_invoices().action_post()
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": company.id,
                "invoice_date": "2025-04-01",
                "invoice_user_id": self.manager.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.install.id,
                            "quantity": 2,
                            "price_unit": 150.0,
                            "tax_ids": False,
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        # the order's invoice is not counted twice; the direct invoice is
        self.assertEqual(company.with_user(self.manager).contoso_revenue, 900.0)
        refund = invoice._reverse_moves()
        refund.invoice_date = "2025-04-02"
        refund.action_post()
        company.invalidate_recordset()
        self.assertEqual(company.with_user(self.manager).contoso_revenue, 600.0)

    def test_imported_purchases_count_in_family_revenue(self):
        root = self._company("T Holding", user=self.manager)
        sub = self._company("T Sub", root, user=self.manager)
        buyer = self.env["res.partner"].create({"name": "T Buyer", "parent_id": sub.id})
        self._order(sub, [(self.kit, 1, 600.0)])
        self.env["contoso.purchase"].create(
            [
                {
                    "channel": channel,
                    "source_ref": ref,
                    "partner_id": partner.id,
                    "date": date,
                    "amount_total": amount,
                    "currency_id": self.env.company.currency_id.id,
                }
                for channel, ref, partner, date, amount in (
                    ("pos", "T-P1", buyer, "2025-05-01", 80.0),
                    ("online", "T-W1", root, "2025-02-01", 120.5),
                    ("online", "T-W2", root, "2023-02-01", 999.0),  # too old
                )
            ]
        )
        members = (root | sub).with_user(self.manager)
        self.assertEqual(members.mapped("contoso_revenue"), [120.5, 680.0])
        self.assertEqual(set(members.mapped("contoso_family_revenue")), {800.5})
        shop = self.env["contoso.family.report"].search(
            [("family_id", "=", root.id), ("source", "=", "pos")]
        )
        self.assertEqual((shop.partner_id, shop.amount), (sub, 80.0))

    def test_top_customers_lists_families_of_companies(self):
        """Top Customers lists families of companies: a person's purchases (a
        person alone, or a company whose family is headed by a person) stay
        out until the head becomes a company."""
        root = self._company("T Holding", user=self.manager)
        sub = self._company("T Sub", root, user=self.manager)
        person = self.env["res.partner"].create({"name": "T Consumer"})
        head = self.env["res.partner"].create({"name": "T Head"})
        shop = self._company("T Shop", head, user=self.manager)
        for partner in (sub, root, person, shop):
            self._order(partner, [(self.kit, 1, 600.0)], user=self.manager)
        report = self.env["contoso.family.report"].with_user(self.manager)
        rows = report.search([("partner_id", "in", (root | sub | person | shop).ids)])
        self.assertEqual(len(rows), 4)
        action = self.env.ref("contoso_sales.contoso_family_report_action")
        listed = report.search(literal_eval(action.domain)) & rows
        self.assertEqual(listed.partner_id, root | sub)
        groups = report.formatted_read_group(
            literal_eval(action.domain) + [("id", "in", rows.ids)],
            ["family_id"],
            ["amount:sum"],
        )
        self.assertEqual(
            [(g["family_id"][0], g["amount:sum"]) for g in groups], [(root.id, 1200.0)]
        )
        # the partner becomes a company: its purchases join the list
        head.is_company = True
        self.assertEqual(
            (report.search(literal_eval(action.domain)) & rows).partner_id,
            root | sub | shop,
        )

    def test_salesperson_sees_only_their_revenue(self):
        root = self._company("T Holding", user=self.manager)
        mine = self._company("T Sally's", root, user=self.salesperson)
        theirs = self._company("T Maria's", root, user=self.manager)
        self._order(mine, [(self.kit, 1, 600.0)])
        self._order(theirs, [(self.kit, 5, 600.0)])
        as_sally = root.with_user(self.salesperson)
        as_maria = root.with_user(self.manager)
        self.assertEqual(as_sally.contoso_family_revenue, 600.0)
        self.assertEqual(as_maria.contoso_family_revenue, 3600.0)
        report = self.env["contoso.family.report"]
        self.assertEqual(report.with_user(self.salesperson).search([]).partner_id, mine)

    def test_rollup_of_1000_subsidiaries_costs_constant_queries(self):
        def family(size):
            root = self._company(f"T Family {size}", user=self.manager)
            subs = self.env["res.partner"].create(
                [
                    {
                        "name": f"T Family {size} sub {i}",
                        "is_company": True,
                        "parent_id": root.id,
                        "user_id": self.manager.id,
                    }
                    for i in range(size)
                ]
            )
            for sub in subs[:3]:
                self._order(sub, [(self.kit, 1, 600.0)])
            return root, subs

        def queries(root, subs):
            self.env.flush_all()
            self.env.invalidate_all()
            Partner = self.env["res.partner"].with_user(self.manager)
            before = self.env.cr.sql_log_count
            total = Partner.browse(root.id).contoso_family_revenue
            own = Partner.browse(subs.ids).mapped("contoso_revenue")
            count = self.env.cr.sql_log_count - before
            self.assertEqual(total, 1800.0)
            self.assertEqual(sum(own), total)
            return count

        small_family, large_family = family(10), family(1000)
        # warm-up: record rules, groups and the user's records get cached
        queries(*small_family)
        queries(*large_family)
        small, large = queries(*small_family), queries(*large_family)
        self.assertEqual(small, large)
        self.assertLessEqual(large, 10)
