import unittest

from odoo.tests import HttpCase, new_test_user, tagged


class ContosoTourCase(HttpCase):
    """A tour that cannot run fails: Odoo would otherwise skip it quietly."""

    def start_tour(self, *args, **kwargs):
        try:
            return super().start_tour(*args, **kwargs)
        except unittest.SkipTest as exc:
            self.fail(f"The browser tour could not run: {exc}")

    def _team_user(self, login, role):
        """A member of the Contoso team in one role; its password is its login."""
        user = new_test_user(
            self.env,
            login=login,
            password=login,
            name=login.replace("_", " ").title(),
            groups=f"base.group_user,contoso_sales.group_{role}",
        )
        self.env.ref("contoso_sales.team_contoso").member_ids = [(4, user.id)]
        return user

    def _customer(self):
        return self.env["res.partner"].create(
            {"name": "Tour Fabrikam", "is_company": True}
        )


@tagged("post_install", "-at_install", "contoso_tour")
class TestPipelineTour(ContosoTourCase):
    def test_salesperson_sees_contoso_pipeline(self):
        sally = self._team_user("tour_sally", "salesperson")
        team = self.env.ref("contoso_sales.team_contoso")
        customer = self._customer()
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
