from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestTechCheckRequiredBatch(ContosoCase):
    """Needs Tech Check computed for a batch (f718de4: thresholds per company
    once, True/False assigned on two recordsets) is what its search finds, at
    and around each company's threshold and for deals without company."""

    def test_compute_equals_search_around_thresholds(self):
        other = self.env["res.company"].create({"name": "T Contoso B"})
        self.company.contoso_tech_check_threshold = 20000
        other.contoso_tech_check_threshold = 10000
        manager = new_test_user(
            self.env,
            login="t_mia_thr",
            name="Test Mia",
            groups="base.group_user,contoso_sales.group_sales_manager",
            company_ids=[Command.set([self.company.id, other.id])],
        )
        vals = []
        for company, amounts in (
            (self.company, (19999.99, 20000, 20000.01)),
            (other, (9999.99, 10000, 10000.01)),
            (False, (9999.99, 10000, 10000.01, 20000.01)),
        ):
            vals += [
                {
                    "name": f"T threshold {company and company.name} {amount}",
                    "type": "opportunity",
                    "expected_revenue": amount,
                    "company_id": company and company.id,
                    "team_id": False,
                }
                for amount in amounts
            ]
        deals = self.env["crm.lead"].create(vals)
        Lead = (
            self.env["crm.lead"]
            .with_user(manager)
            .with_context(allowed_company_ids=[self.company.id, other.id])
        )
        for active in (self.company, other):
            with self.subTest(company=active.name):
                Lead = Lead.with_company(active)
                self.env.invalidate_all()
                batch = Lead.browse(deals.ids)
                computed = batch.filtered("tech_check_required")
                searched = Lead.search(
                    [("id", "in", deals.ids), ("tech_check_required", "=", True)]
                )
                self.assertEqual(computed, searched)
                self.assertEqual(
                    batch - computed,
                    Lead.search(
                        [("id", "in", deals.ids), ("tech_check_required", "=", False)]
                    ),
                )
                # one at a time, as 86ccb64 assigned them
                for deal in batch:
                    self.env.invalidate_all()
                    self.assertEqual(
                        Lead.browse(deal.id).tech_check_required,
                        deal in computed,
                        deal.name,
                    )
        self.assertEqual(
            {d.name for d in deals.filtered("tech_check_required")},
            {
                "T threshold YourCompany 20000.01"
                if self.company.name == "YourCompany"
                else f"T threshold {self.company.name} 20000.01",
                "T threshold T Contoso B 10000.01",
                "T threshold False 10000.01",
                "T threshold False 20000.01",
            },
        )
