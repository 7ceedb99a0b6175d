from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_tech_check import TechCheckCase


@tagged("post_install", "-at_install")
class TestTechCheckInvariants(TechCheckCase):
    """The gate holds on the deal as it is after any change, whatever Odoo
    recomputed, merged, deleted or confirmed on the way: each test is the
    attack of one role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.web_shop = cls.env["crm.team"].create({"name": "Web Shop"})
        cls.web_seller = new_test_user(
            cls.env,
            login="t_wendy",
            name="Test Wendy",
            groups="base.group_user,contoso_sales.group_salesperson",
        )
        cls.web_shop.member_ids = [(4, cls.web_seller.id)]
        cls.sales_admin = new_test_user(
            cls.env,
            login="t_odoo_admin",
            name="Odoo Sales Admin",
            groups="base.group_user,sales_team.group_sale_manager",
        )

    def _both_roles(self):
        dual = new_test_user(
            self.env,
            login="t_dana",
            name="Test Dana",
            groups="base.group_user,contoso_sales.group_salesperson,"
            "contoso_sales.group_technical_consultant",
        )
        self.team.member_ids = [(4, dual.id)]
        return dual

    # -- recomputes inside the write -------------------------------------------

    def test_new_salesperson_cannot_carry_a_deal_out_of_its_team_into_close(self):
        # Odoo moves the deal to Wendy's team inside the write: team_id is
        # not in the values, the deal is judged after the write.
        with self.assertRefused(UserError, "cannot move to Web Shop"):
            self.deal.with_user(self.salesperson).write(
                {"user_id": self.web_seller.id, "stage_id": self.stages["close"].id}
            )
        self.assertStage(self.deal, "quote")
        self.assertEqual(self.deal.team_id, self.team)
        self.assertEqual(self.deal.user_id, self.salesperson)

    def test_lead_above_threshold_cannot_be_won(self):
        self.deal.with_user(self.salesperson).write({"type": "lead"})
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            self.deal.with_user(self.salesperson).action_set_won()
        self.assertStage(self.deal, "quote")
        self.assertEqual(self.deal.won_status, "pending")

    def test_deal_without_company_takes_the_strictest_threshold(self):
        lenient = self.env["res.company"].create(
            {"name": "Contoso Lenient", "contoso_tech_check_threshold": 100000}
        )
        self.salesperson.company_ids = [(4, lenient.id)]
        deal = self.Lead.create(
            {
                "name": "Companyless alarm",
                "type": "opportunity",
                "team_id": self.team.id,
                "user_id": False,
                "stage_id": self.stages["quote"].id,
                "expected_revenue": 48000,
            }
        )
        self.assertFalse(deal.company_id)
        as_lenient = deal.with_user(self.salesperson).with_context(
            allowed_company_ids=[lenient.id, self.company.id]
        )
        self.assertEqual(as_lenient.env.company, lenient)
        self.assertTrue(as_lenient.tech_check_required)
        self.assertIn(
            deal,
            as_lenient.search(
                [("tech_check_required", "=", True), ("id", "=", deal.id)]
            ),
        )
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            as_lenient.stage_id = self.stages["close"]
        self.assertStage(deal, "quote")

    def test_self_check_does_not_count_when_the_gate_decides(self):
        dual = self._both_roles()
        self.deal.user_id = dual
        as_dual = self.deal.with_user(dual)
        as_dual.user_id = False
        self._log_check(self.deal, user=dual)
        self.assertTrue(self.deal.tech_check_passed)
        as_dual.user_id = dual
        self.assertFalse(self.deal.tech_check_passed)
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            as_dual.stage_id = self.stages["close"]
        self.assertStage(self.deal, "quote")
        # Taking a closed deal checked by oneself is refused too.
        self.deal.user_id = False
        self.deal.stage_id = self.stages["close"]
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            as_dual.user_id = dual
        self.env.invalidate_all(flush=False)
        self.assertFalse(self.deal.user_id)

    def test_salesperson_cannot_move_a_deal_to_a_lenient_company(self):
        lenient = self.env["res.company"].create(
            {"name": "Contoso Lenient", "contoso_tech_check_threshold": 100000}
        )
        (self.salesperson | self.manager).company_ids = [(4, lenient.id)]
        as_sally = self.deal.with_user(self.salesperson).with_context(
            allowed_company_ids=[self.company.id, lenient.id]
        )
        with self.assertRefused(UserError, "whose threshold is higher"):
            as_sally.company_id = lenient
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.deal.company_id, self.company)
        self.deal.with_user(self.manager).with_context(
            allowed_company_ids=[self.company.id, lenient.id]
        ).company_id = lenient

    # -- merges and deletions --------------------------------------------------

    def test_merge_into_a_deal_of_a_team_without_checks_is_refused(self):
        head = self.Lead.create(
            {
                "name": "Fabrikam web order",
                "type": "opportunity",
                "partner_id": self.customer.id,
                "team_id": self.web_shop.id,
                "user_id": False,
                "stage_id": self.stages["close"].id,
                "expected_revenue": 0,
            }
        )
        self.assertEqual(head.team_id, self.web_shop)
        with self.assertRefused(UserError, "cannot move to Web Shop"):
            (self.deal | head).with_user(self.salesperson).merge_opportunity(
                user_id=self.web_seller.id, team_id=self.web_shop.id
            )
        self.assertTrue(self.deal.exists())

    def test_merge_moves_passed_checks_to_the_surviving_deal(self):
        check = self._log_check(self.deal)
        head = self._deal("Fabrikam HQ alarm (web form)", 48000, "tech_check")
        wizard = (
            self.env["crm.merge.opportunity"]
            .with_user(self.salesperson)
            .with_context(active_ids=(self.deal | head).ids)
            .create(
                {
                    "opportunity_ids": [(6, 0, (self.deal | head).ids)],
                    "user_id": self.salesperson.id,
                    "team_id": self.team.id,
                }
            )
        )
        merged = wizard.action_merge()
        self.assertFalse(self.deal.exists())
        self.assertEqual(merged["res_id"], head.id)
        self.assertTrue(check.exists())
        self.assertEqual(check.lead_id, head)
        self.assertTrue(head.tech_check_passed)
        head.with_user(self.salesperson).stage_id = self.stages["close"]
        self.assertEqual(head.won_status, "won")

    def test_merge_cannot_make_a_won_deal_above_threshold_without_check(self):
        won_empty = self._deal("Fabrikam closed placeholder", 0, "close")
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            (won_empty | self.deal).with_user(self.salesperson).merge_opportunity()
        self.assertTrue(self.deal.exists())

    def test_deal_with_a_passed_check_is_never_deleted(self):
        check = self._log_check(self.deal)
        with self.assertRefused(UserError, "holds a passed tech check"):
            self.deal.with_user(self.manager).unlink()
        self.assertTrue(check.exists())
        other = self._deal("Fabrikam annex alarm", 30000, "quote")
        failed = self._log_check(other, result="fail")
        other.with_user(self.manager).unlink()
        self.assertFalse(failed.exists())

    # -- settings that decide the gate -------------------------------------------

    def test_odoo_sales_administrator_cannot_change_the_gate(self):
        quote = self.stages["quote"].with_user(self.sales_admin)
        with self.assertRefused(AccessError, "Ask a Contoso sales manager"):
            quote.contoso_requires_tech_check = True
        with self.assertRefused(AccessError, "Ask a Contoso sales manager"):
            self.stages["close"].with_user(self.sales_admin).is_won = False
        with self.assertRefused(AccessError, "Ask a Contoso sales manager"):
            self.team.with_user(self.sales_admin).contoso_tech_check = False
        self.env.invalidate_all(flush=False)
        self.assertTrue(self.team.contoso_tech_check)
        self.assertTrue(self.stages["close"].is_won)
        self.assertFalse(self.stages["quote"].contoso_requires_tech_check)
        # Unrelated stage and team fields stay theirs.
        quote.fold = True
        self.team.with_user(self.sales_admin).name = "Contoso Sales (US)"

    def test_gating_a_stage_with_unchecked_deals_names_them(self):
        with self.assertRefused(UserError, "'Fabrikam HQ alarm' ($\xa048,000.00)"):
            self.stages["quote"].with_user(
                self.manager
            ).contoso_requires_tech_check = True
        self.env.invalidate_all(flush=False)
        self.assertFalse(self.stages["quote"].contoso_requires_tech_check)
        self._log_check(self.deal)
        self.stages["quote"].with_user(self.manager).contoso_requires_tech_check = True

    def test_gating_a_team_with_unchecked_won_deals_names_them(self):
        deal = self.Lead.create(
            {
                "name": "Web bulk order",
                "type": "opportunity",
                "team_id": self.web_shop.id,
                "expected_revenue": 90000,
            }
        )
        deal.action_set_won()
        with self.assertRefused(UserError, "'Web bulk order'"):
            self.web_shop.with_user(self.manager).contoso_tech_check = True
        self.env.invalidate_all(flush=False)
        self.assertFalse(self.web_shop.contoso_tech_check)

    def test_lowering_the_threshold_below_unchecked_won_deals_names_them(self):
        self.small.stage_id = self.stages["close"]
        config = (
            self.env["contoso.sales.config"]
            .with_user(self.manager)
            .create({"tech_check_threshold": 10000})
        )
        with self.assertRefused(UserError, "'Fabrikam lobby doorbell'"):
            config.action_save()
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.company.contoso_tech_check_threshold, 20000)

    def test_deal_settings_never_change_another_company(self):
        other = self.env["res.company"].create({"name": "Contoso West"})
        west_team = self.env["crm.team"].create(
            {"name": "West Sales", "company_id": other.id}
        )
        self.manager.company_ids = [(4, other.id)]
        config = (
            self.env["contoso.sales.config"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=[self.company.id, other.id])
            .create(
                {
                    "company_id": other.id,
                    "tech_check_threshold": 999999999,
                    "share_deals_team_ids": [(6, 0, west_team.ids)],
                }
            )
        )
        config.action_save()
        self.assertEqual(other.contoso_tech_check_threshold, 20000)
        self.assertFalse(west_team.contoso_share_deals)
        self.assertEqual(self.company.contoso_tech_check_threshold, 999999999)

    # -- the order of a deal ---------------------------------------------------

    def _quotation(self, deal):
        product = self.env["product.product"].create(
            {"name": "Gate Alarm Kit", "list_price": 4800.0, "sale_ok": True}
        )
        return (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": self.customer.id,
                    "opportunity_id": deal.id,
                    "order_line": [
                        (0, 0, {"product_id": product.id, "product_uom_qty": 10})
                    ],
                }
            )
        )

    def test_confirming_the_order_of_an_unchecked_deal_is_refused(self):
        order = self._quotation(self.deal)
        message = self.deal._tech_check_message(f"its order {order.name} is confirmed")
        with self.assertRaises(UserError) as error:
            order.with_user(self.salesperson).action_confirm()
        self.assertEqual(str(error.exception), message)
        with self.assertRefused(UserError, message):
            order.with_user(self.salesperson).write({"state": "sale"})
        self.env.invalidate_all(flush=False)
        self.assertEqual(order.state, "draft")
        self._log_check(self.deal)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_customer_signing_online_cannot_confirm_an_unchecked_deal(self):
        order = self._quotation(self.deal)
        portal = new_test_user(
            self.env,
            login="t_portal",
            name="Fabrikam Buyer",
            groups="base.group_portal",
        )
        # Odoo's portal confirms the signed quotation as superuser, for the
        # customer: env.user is still the customer.
        with self.assertRefused(
            UserError, "needs a passed tech check before its order"
        ):
            order.with_user(portal).sudo().action_confirm()
        self.env.invalidate_all(flush=False)
        self.assertEqual(order.state, "draft")

    def test_manager_confirms_the_order_of_an_unchecked_deal(self):
        order = self._quotation(self.deal)
        order.with_user(self.manager).action_confirm()
        self.assertEqual(order.state, "sale")

    # -- other paths of the same classes ---------------------------------------

    def test_gated_team_cannot_be_deleted(self):
        with self.assertRefused(UserError, "uses tech checks"):
            self.team.with_user(self.manager).unlink()
        self.assertTrue(self.team.exists())
        self.assertEqual(self.deal.team_id, self.team)

    def test_conversion_to_another_salesperson_cannot_dodge_the_check(self):
        lead = self._deal("Fabrikam trade show lead", 48000, "quote")
        lead.type = "lead"
        wizard = (
            self.env["crm.lead2opportunity.partner"]
            .with_user(self.salesperson)
            .with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            )
            .create(
                {
                    "name": "convert",
                    "action": "exist",
                    "user_id": self.web_seller.id,
                    "team_id": False,
                    "force_assignment": True,
                }
            )
        )
        with self.assertRefused(UserError, "cannot move to Web Shop"):
            wizard.action_apply()
        self.env.invalidate_all(flush=False)
        self.assertEqual(lead.team_id, self.team)
