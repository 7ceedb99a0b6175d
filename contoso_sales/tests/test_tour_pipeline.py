import unittest

from odoo.tests import HttpCase, new_test_user, tagged


class ContosoTourCase(HttpCase):
    """A tour that cannot run fails: Odoo would otherwise skip it quietly."""

    def start_tour(self, *args, **kwargs):
        try:
            return super().start_tour(*args, **kwargs)
        except unittest.SkipTest as exc:
            self.fail(f"The browser tour could not run: {exc}")


@tagged("post_install", "-at_install", "contoso_tour")
class TestPipelineTour(ContosoTourCase):
    def test_salesperson_sees_contoso_pipeline(self):
        sally = new_test_user(
            self.env,
            login="tour_sally",
            password="tour_sally",
            name="Tour Sally",
            groups="base.group_user,contoso_sales.group_salesperson",
        )
        team = self.env.ref("contoso_sales.team_contoso")
        team.member_ids = [(4, sally.id)]
        customer = self.env["res.partner"].create(
            {"name": "Tour Fabrikam", "is_company": True}
        )
        self.env["crm.lead"].create(
            {
                "name": "Tour alarm rollout",
                "type": "opportunity",
                "partner_id": customer.id,
                "team_id": team.id,
                "user_id": sally.id,
                "stage_id": self.env.ref("contoso_sales.stage_quote").id,
                "expected_revenue": 12000,
            }
        )
        self.start_tour("/odoo/crm", "contoso_pipeline", login="tour_sally")
