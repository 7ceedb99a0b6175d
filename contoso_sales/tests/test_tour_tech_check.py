from odoo.tests import tagged

from .test_tour_pipeline import ContosoTourCase


@tagged("post_install", "-at_install", "contoso_tour")
class TestTechCheckTour(ContosoTourCase):
    def test_drag_blocked_then_check_then_drag(self):
        team = self.env.ref("contoso_sales.team_contoso")
        sally = self._team_user("tour_sally", "salesperson")
        tom = self._team_user("tour_tom", "technical_consultant")
        customer = self._customer()
        deal = self.env["crm.lead"].create(
            {
                "name": "Tour HQ alarm rollout",
                "type": "opportunity",
                "partner_id": customer.id,
                "team_id": team.id,
                "user_id": sally.id,
                "stage_id": self.env.ref("contoso_sales.stage_tech_check").id,
                "expected_revenue": 48000,
            }
        )
        close = self.env.ref("contoso_sales.stage_close")

        self.start_tour("/odoo/crm", "contoso_tech_check_blocked", login="tour_sally")
        self.assertEqual(deal.stage_id.name, "Tech Check")

        self.start_tour(
            "/odoo/action-contoso_sales.crm_lead_action_tech_checks_to_do",
            "contoso_tech_check_log",
            login="tour_tom",
        )
        self.assertEqual(deal.tech_check_ids.consultant_id, tom)
        self.assertEqual(deal.tech_check_ids.result, "pass")
        self.assertTrue(deal.tech_check_passed)

        self.start_tour("/odoo/crm", "contoso_tech_check_passed", login="tour_sally")
        deal.invalidate_recordset()
        self.assertEqual(deal.stage_id, close)
