from odoo.tests import new_test_user, tagged

from .common import ContosoCase
from .test_roles_access import MODES, assert_a_row_per_model, parse_table

# Model rights of a portal user (customer or reseller) on every model of the
# addon; record rules narrow them to his commercial partner's records (see the
# HTTP tests). Every model of the addon has a row: a new model fails this test
# until its portal rights are decided here.
PORTAL_ACCESS = """
model                           | portal
crm.lead                        | ----
sale.order                      | r---
account.move                    | r---
contoso.deal.line               | ----
contoso.tech.check              | ----
contoso.tech.check.override     | ----
contoso.sales.config            | ----
contoso.nurture.cadence         | ----
contoso.nurture.step            | ----
contoso.nurture.enrolment       | ----
contoso.nurture.enrolment.line  | ----
contoso.import.batch            | ----
contoso.import.error            | ----
contoso.import.conflict         | ----
contoso.source.record           | ----
contoso.import.wizard           | ----
contoso.loyalty.member          | ----
contoso.purchase                | r---
contoso.customer                | ----
contoso.family.report           | ----
contoso.white.space             | ----
contoso.callback.request        | r---
contoso.installation.sheet      | r---
contoso.installation.sheet.line | r---
contoso.product.document        | r---
contoso.failure.code            | r---
contoso.product.consumable      | r---
product.product                 | ----
stock.quant                     | ----
stock.move                      | ----
"""


@tagged("post_install", "-at_install")
class TestPortalAccessMatrix(ContosoCase):
    def test_portal_model_access(self):
        portal = new_test_user(self.env, login="t_portal", groups="base.group_portal")
        table = parse_table(PORTAL_ACCESS)
        assert_a_row_per_model(self, table, "PORTAL_ACCESS")
        access = self.env["ir.model.access"].with_user(portal)
        for model, rights in table.items():
            actual = "".join(
                letter if access.check(model, mode, raise_exception=False) else "-"
                for letter, mode in MODES.items()
            )
            with self.subTest(model=model):
                self.assertEqual(actual, rights["portal"])
