from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestTeamSharing(ContosoCase):
    """The team-sharing rules hold the ids of the salesperson's sharing teams,
    resolved once and cached per user by ir.rule: every change of membership
    must reach her next read, not only a new process."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_two_teams()
        # West shares its deals; Otto is a member, Sally is not (yet).
        cls.west = cls.env["crm.team"].create(
            {
                "name": "Test West",
                "contoso_share_deals": True,
                "member_ids": [Command.link(cls.otto.id)],
            }
        )
        cls.deal = cls.env["crm.lead"].create(
            {
                "name": "Otto's West alarm",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "user_id": cls.otto.id,
                "team_id": cls.west.id,
                "expected_revenue": 5000,
                "deal_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.env["product.product"]
                            .create({"name": "West Keypad", "list_price": 90.0})
                            .id,
                            "product_uom_qty": 1,
                        }
                    )
                ],
            }
        )
        cls.check = cls.env["contoso.tech.check"].create(
            {
                "lead_id": cls.deal.id,
                "consultant_id": cls.consultant.id,
                "details": "<p>West survey.</p>",
                "result": "fail",
            }
        )

    def _sally_sees(self):
        """Whether Sally reads the West deal, its lines and its check; each
        search also fills ir.rule's cache for her, as a real session does."""
        self.env.invalidate_all()
        seen = {
            "deal": self.deal
            in self.env["crm.lead"].with_user(self.salesperson).search([]),
            "lines": bool(
                self.env["contoso.deal.line"]
                .with_user(self.salesperson)
                .search([("lead_id", "=", self.deal.id)])
            ),
            "check": bool(
                self.env["contoso.tech.check"]
                .with_user(self.salesperson)
                .search([("lead_id", "=", self.deal.id)])
            ),
        }
        self.assertEqual(len(set(seen.values())), 1, seen)
        return seen["deal"]

    def test_joining_a_sharing_team_shows_its_deals_at_once(self):
        self.assertFalse(self._sally_sees())
        with self.assertRaises(AccessError):
            self.deal.with_user(self.salesperson).read(["name"])
        self.west.member_ids = [Command.link(self.salesperson.id)]
        self.assertTrue(self._sally_sees())
        self.deal.with_user(self.salesperson).write({"priority": "2"})
        self.assertEqual(self.deal.priority, "2")

    def test_leaving_a_sharing_team_hides_its_deals_at_once(self):
        member = self.env["crm.team.member"].create(
            {"crm_team_id": self.west.id, "user_id": self.salesperson.id}
        )
        self.assertTrue(self._sally_sees())
        member.active = False
        self.assertFalse(self._sally_sees())
        member.active = True
        self.assertTrue(self._sally_sees())
        member.crm_team_id = self.env["crm.team"].create({"name": "Test East"})
        self.assertFalse(self._sally_sees())
        member.crm_team_id = self.west
        self.assertTrue(self._sally_sees())
        member.unlink()
        self.assertFalse(self._sally_sees())
        with self.assertRaises(AccessError):
            self.deal.with_user(self.salesperson).write({"priority": "1"})

    def test_team_stops_or_starts_sharing_at_once(self):
        self.west.member_ids = [Command.link(self.salesperson.id)]
        self.assertTrue(self._sally_sees())
        self.west.contoso_share_deals = False
        self.assertFalse(self._sally_sees())
        self.west.contoso_share_deals = True
        self.assertTrue(self._sally_sees())

    def test_sharing_rules_match_membership_for_every_salesperson(self):
        """The resolved rule reads the same deals as the rule it replaces
        (the deal's team shares and has the user as an active member), for
        each salesperson, on every team of the test."""
        self.west.member_ids = [Command.link(self.salesperson.id)]
        east = self.env["crm.team"].create(
            {"name": "Test East", "contoso_share_deals": True}
        )
        # Otto left East: an archived membership shares nothing.
        self.env["crm.team.member"].create(
            {"crm_team_id": east.id, "user_id": self.otto.id}
        ).active = False
        self.env["crm.lead"].create(
            [
                {
                    "name": f"{team.name} deal of {user.name}",
                    "type": "opportunity",
                    "user_id": user.id,
                    "team_id": team.id,
                }
                for team in (self.team, self.resellers, self.west, east)
                for user in (self.salesperson, self.otto, self.manager)
            ]
        )
        Lead = self.env["crm.lead"].with_context(active_test=False)
        for user in (self.salesperson, self.otto):
            with self.subTest(user=user.name):
                shared = Lead.search(
                    [
                        ("team_id.contoso_share_deals", "=", True),
                        ("team_id.member_ids", "in", user.id),
                    ]
                )
                own = Lead.search(
                    ["|", ("user_id", "=", user.id), ("user_id", "=", False)]
                )
                allowed = user.company_ids | self.env["res.company"]
                self.assertEqual(
                    Lead.with_user(user).search([]),
                    (shared | own).filtered(
                        lambda lead, allowed=allowed: lead.company_id in allowed
                    ),
                )
