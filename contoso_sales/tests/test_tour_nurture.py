from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .test_tour_pipeline import ContosoTourCase


@tagged("post_install", "-at_install", "contoso_tour")
class TestNurtureTour(ContosoTourCase):
    def test_salesperson_runs_nurturing(self):
        sally = new_test_user(
            self.env,
            login="tour_sally",
            password="tour_sally",
            name="Tour Sally",
            email="sally@example.com",
            groups="base.group_user,contoso_sales.group_salesperson",
        )
        self.env.ref("contoso_sales.team_contoso").member_ids = [(4, sally.id)]
        customer = self.env["res.partner"].create(
            {
                "name": "Tour Nurture Corp",
                "is_company": True,
                "email": "info@nurture.example.com",
            }
        )
        self.env.company.contoso_nurture_auto_enrol = True

        self.start_tour("/odoo/crm/new", "contoso_nurture", login="tour_sally")

        deal = self.env["crm.lead"].search([("name", "=", "Tour nurture rollout")])
        enrolment = deal.contoso_nurture_enrolment_ids
        self.assertEqual(enrolment.partner_id, customer)
        today = fields.Date.context_today(deal)
        self.assertEqual(
            enrolment.line_ids.mapped("summary"),
            ["Introduction call", "Information email"],
        )
        self.assertEqual(enrolment.line_ids[1].date_due, today + timedelta(days=1))
        self.assertEqual(enrolment.step_id.summary, "Check-in email")
        self.assertTrue(
            deal.message_ids.filtered(
                lambda m: m.subject == "Contoso Home Security for Tour Nurture Corp"
            )
        )
