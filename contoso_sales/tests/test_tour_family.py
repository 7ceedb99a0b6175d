from odoo.fields import Command
from odoo.tests import tagged

from .test_tour_pipeline import ContosoTourCase


@tagged("post_install", "-at_install", "contoso_tour")
class TestFamilyTour(ContosoTourCase):
    def test_manager_finds_the_top_family_and_cross_sells(self):
        maria = self._team_user("tour_maria", "sales_manager")
        Partner = self.env["res.partner"]
        security, services = self.env["product.category"].create(
            [{"name": "Tour Security"}, {"name": "Tour Services"}]
        )
        kit, install = self.env["product.product"].create(
            [
                {
                    "name": "Tour Kit",
                    "list_price": 600.0,
                    "categ_id": security.id,
                    "taxes_id": False,
                },
                {
                    "name": "Tour Install",
                    "list_price": 150.0,
                    "categ_id": services.id,
                    "taxes_id": False,
                },
            ]
        )
        root = Partner.create(
            {
                "name": "Tour Dogs Extraordinaire",
                "is_company": True,
                "user_id": maria.id,
            }
        )
        pups = Partner.create(
            {"name": "Tour PupsRUs", "is_company": True, "parent_id": root.id}
        )
        kingdom = Partner.create(
            {
                "name": "Tour Puppy Kingdom",
                "is_company": True,
                "parent_id": pups.id,
                "user_id": maria.id,
            }
        )
        galactic = Partner.create({"name": "Tour GalacticSpace", "is_company": True})
        joel = Partner.create({"name": "Tour Joel Willis", "is_company": False})

        def order(partner, lines):
            self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "user_id": maria.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": p.id,
                                "product_uom_qty": qty,
                                "price_unit": p.list_price,
                                "tax_ids": False,
                            }
                        )
                        for p, qty in lines
                    ],
                }
            ).action_confirm()

        # No single subsidiary beats GalacticSpace; the family does.
        order(galactic, [(kit, 1000)])
        order(pups, [(kit, 700), (install, 100)])
        order(kingdom, [(kit, 400)])
        order(joel, [(kit, 2000)])  # the biggest buyer, but a person

        self.start_tour(
            "/odoo/action-contoso_sales.contoso_family_report_action",
            "contoso_family",
            login="tour_maria",
        )

        deal = self.env["crm.lead"].search([("partner_id", "=", kingdom.id)])
        self.assertEqual(len(deal), 1)
        self.assertEqual(deal.user_id, maria)
        self.assertEqual(deal.tag_ids.name, "Cross-sell")
        self.assertEqual(deal.deal_line_ids.product_id, install)
        self.assertEqual(deal.deal_line_ids.product_uom_qty, 100.0)
