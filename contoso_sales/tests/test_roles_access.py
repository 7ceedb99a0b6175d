from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import ContosoCase

ROLES = ("seller", "consultant", "manager", "accountant", "data admin")

# Model rights (ir.model.access) per role (seller: the salesperson): r(ead)
# w(rite) c(reate) u(nlink).
# Every model of the addon has a row: a new model fails this test until its row
# is added here. Record rules and server checks narrow these rights further;
# DEAL_ACCESS below shows them on crm.lead.
MODEL_ACCESS = """
model                          | seller | consultant | manager | accountant | data admin
crm.lead                       | rwc-   | rwc-       | rwcu    | ----       | rwc-
sale.order                     | rwc-   | rwc-       | rwcu    | rw--       | rwc-
account.move                   | r---   | r---       | r---    | rwcu       | r---
contoso.deal.line              | rwcu   | rwcu       | rwcu    | ----       | rwcu
contoso.tech.check             | r---   | rwc-       | rwcu    | ----       | r---
contoso.tech.check.override    | ----   | ----       | rwc-    | ----       | ----
contoso.sales.config           | ----   | ----       | rwc-    | ----       | ----
contoso.nurture.cadence        | r---   | r---       | rwcu    | ----       | r---
contoso.nurture.step           | r---   | r---       | rwcu    | ----       | r---
contoso.nurture.enrolment      | rwc-   | rwc-       | rwcu    | ----       | rwc-
contoso.nurture.enrolment.line | r---   | r---       | rwcu    | ----       | r---
contoso.import.batch           | ----   | ----       | r-cu    | ----       | r-cu
contoso.import.error           | ----   | ----       | r---    | ----       | r---
contoso.import.conflict        | ----   | ----       | r---    | ----       | r---
contoso.source.record          | ----   | ----       | r---    | ----       | r---
contoso.import.wizard          | ----   | ----       | rwc-    | ----       | rwc-
contoso.loyalty.member         | r---   | r---       | rwcu    | ----       | rwcu
contoso.purchase               | r---   | r---       | rwcu    | ----       | rwcu
contoso.customer               | r---   | r---       | r---    | ----       | r---
contoso.family.report          | r---   | r---       | r---    | ----       | r---
contoso.callback.request       | rw--   | rw--       | rwcu    | ----       | rw--
contoso.installation.sheet     | rwc-   | rwc-       | rwcu    | ----       | rwc-
contoso.installation.sheet.line | rwcu  | rwcu       | rwcu    | ----       | rwcu
contoso.product.document       | r---   | r---       | rwcu    | ----       | r---
contoso.failure.code           | r---   | r---       | rwcu    | ----       | r---
contoso.product.consumable     | r---   | r---       | rwcu    | ----       | r---
"""

# Which deals each role reads (r) and edits (w). Sally is the salesperson, Tom
# the consultant, Dana a data administrator; Otto is another salesperson. The
# Contoso team shares its deals, the Resellers team does not; both have Sally as
# a member.
DEAL_ACCESS = """
deal                           | seller | consultant | manager | accountant | data admin
Sally's deal                   | rw     | --         | rw      | --         | --
unassigned deal                | rw     | rw         | rw      | --         | rw
Otto's deal, shared team       | rw     | --         | rw      | --         | --
Otto's deal, unshared team     | --     | --         | rw      | --         | --
Otto's deal needing a check    | --     | r-         | rw      | --         | --
Otto's deal checked by Tom     | --     | r-         | rw      | --         | --
"""

MODES = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


def parse_table(text):
    """{row name: {role: rights}} from one of the tables above."""
    header, *rows = [line for line in text.strip().splitlines() if line.strip()]
    roles = [cell.strip() for cell in header.split("|")[1:]]
    table = {}
    for row in rows:
        name, *cells = [cell.strip() for cell in row.split("|")]
        table[name] = dict(zip(roles, cells, strict=True))
    return table


def assert_a_row_per_model(case, table, name):
    """Every model of the addon (abstract ones aside) has a row in `table`."""
    addon_models = {
        model_name
        for model_name, model in case.env.registry.items()
        if model._original_module == "contoso_sales" and not model._abstract
    }
    case.assertEqual(
        addon_models - set(table),
        set(),
        f"every model of the addon needs a row in {name}",
    )


@tagged("post_install", "-at_install")
class TestRolesAccess(ContosoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_two_teams()
        cls.accountant = cls._role_user("accountant")
        cls.users = {
            "seller": cls.salesperson,
            "consultant": cls.consultant,
            "manager": cls.manager,
            "accountant": cls.accountant,
            "data admin": cls.data_admin,
        }

        def deal(name, user, team, amount=5000):
            return {
                "name": name,
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "user_id": user.id,
                "team_id": team.id,
                "expected_revenue": amount,
            }

        nobody = cls.env["res.users"]
        cls.deals = dict(
            zip(
                parse_table(DEAL_ACCESS),
                cls.env["crm.lead"].create(
                    [
                        deal("Sally's deal", cls.salesperson, cls.team),
                        deal("Unassigned deal", nobody, cls.resellers),
                        deal("Otto shared", cls.otto, cls.team),
                        deal("Otto unshared", cls.otto, cls.resellers),
                        deal("Otto to check", cls.otto, cls.resellers, 48000),
                        deal("Otto checked", cls.otto, cls.resellers),
                    ]
                ),
                strict=True,
            )
        )
        cls.env["contoso.tech.check"].create(
            {
                "lead_id": cls.deals["Otto's deal checked by Tom"].id,
                "consultant_id": cls.consultant.id,
                "details": "<p>Wiring checked.</p>",
                "result": "fail",
            }
        )

    def test_model_access_matrix(self):
        table = parse_table(MODEL_ACCESS)
        assert_a_row_per_model(self, table, "MODEL_ACCESS")
        access = self.env["ir.model.access"]
        for model, rights in table.items():
            for role in ROLES:
                actual = "".join(
                    letter
                    if access.with_user(self.users[role]).check(
                        model, mode, raise_exception=False
                    )
                    else "-"
                    for letter, mode in MODES.items()
                )
                with self.subTest(model=model, role=role):
                    self.assertEqual(actual, rights[role])

    def test_deal_access_matrix(self):
        for deal_name, rights in parse_table(DEAL_ACCESS).items():
            deal = self.deals[deal_name]
            for role in ROLES:
                as_user = deal.with_user(self.users[role])
                actual = ("r" if as_user.has_access("read") else "-") + (
                    "w" if as_user.has_access("write") else "-"
                )
                with self.subTest(deal=deal_name, role=role):
                    self.assertEqual(actual, rights[role])
                    if rights[role] != "--":
                        # what the role may read, its searches find
                        self.assertEqual(
                            as_user.search([("id", "=", deal.id)]), as_user
                        )

    def test_tech_checks_follow_deal_access(self):
        """A check on each deal of DEAL_ACCESS: each role reads it, its details
        included, exactly when it reads the deal."""
        carl = new_test_user(
            self.env,
            login="t_carl",
            name="Test Carl",
            groups="base.group_user,contoso_sales.group_technical_consultant",
        )
        checks = self.env["contoso.tech.check"].create(
            [
                {
                    "lead_id": deal.id,
                    "consultant_id": carl.id,
                    "details": "<p>Site survey</p>",
                    "result": "fail",
                }
                for deal in self.deals.values()
            ]
        )
        for (deal_name, rights), check in zip(
            parse_table(DEAL_ACCESS).items(), checks, strict=True
        ):
            for role in ROLES:
                as_user = check.with_user(self.users[role])
                with self.subTest(deal=deal_name, role=role):
                    self.assertEqual(as_user.has_access("read"), "r" in rights[role])
                    if "r" in rights[role]:
                        self.assertEqual(
                            as_user.search([("id", "=", check.id)]), as_user
                        )
                    elif (
                        self.env["ir.model.access"]
                        .with_user(self.users[role])
                        .check("contoso.tech.check", "read", raise_exception=False)
                    ):
                        self.assertFalse(as_user.search([("id", "=", check.id)]))

    def test_team_sharing_follows_the_setting(self):
        otto_deal = self.deals["Otto's deal, shared team"]
        otto_deal.deal_line_ids = [
            Command.create({"product_id": self._product().id, "product_uom_qty": 2})
        ]
        sally_leads = self.env["crm.lead"].with_user(self.salesperson)
        sally_lines = self.env["contoso.deal.line"].with_user(self.salesperson)
        self.assertIn(otto_deal, sally_leads.search([]))
        self.assertEqual(
            sally_lines.search([("lead_id", "=", otto_deal.id)]),
            otto_deal.deal_line_ids,
        )
        # the manager stops sharing in Deal Settings, without admin rights
        config = (
            self.env["contoso.sales.config"]
            .with_user(self.manager)
            .create({"tech_check_threshold": 20000})
        )
        self.assertIn(self.team, config.share_deals_team_ids)
        config.share_deals_team_ids = [Command.unlink(self.team.id)]
        config.action_save()
        self.assertFalse(self.team.contoso_share_deals)
        self.env.invalidate_all()
        self.assertNotIn(otto_deal, sally_leads.search([]))
        self.assertFalse(sally_lines.search([("lead_id", "=", otto_deal.id)]))
        with self.assertRaises(AccessError):
            otto_deal.with_user(self.salesperson).write({"priority": "2"})

    def _product(self):
        return self.env["product.product"].create(
            {"name": "Contoso Door Sensor", "list_price": 40.0}
        )

    def test_consultant_cannot_change_amounts_or_stages(self):
        deal = self.deals["unassigned deal"]
        as_tom = deal.with_user(self.consultant)
        # a consultant may annotate a deal they can edit...
        as_tom.write({"description": "<p>Site visit planned Tuesday.</p>"})
        self.assertIn("Site visit", deal.description)
        # ...but not sell it
        refusals = {
            "Expected Revenue": lambda: as_tom.write({"expected_revenue": 90000}),
            "Stage": lambda: as_tom.write({"stage_id": self.stages["quote"].id}),
            "Active": lambda: as_tom.action_set_lost(),
            "Products": lambda: as_tom.write(
                {"deal_line_ids": [Command.create({"product_id": self._product().id})]}
            ),
        }
        for field, attempt in refusals.items():
            with self.subTest(field=field), self.assertRaises(AccessError) as caught:
                attempt()
            self.assertEqual(
                str(caught.exception),
                f"Test Tom is a technical consultant and cannot change the {field} "
                "of deal 'Unassigned deal': amounts and stages are the "
                "salesperson's. Ask its salesperson or a sales manager.",
            )
        with self.assertRaises(AccessError):
            self.env["contoso.deal.line"].with_user(self.consultant).create(
                {"lead_id": deal.id, "product_id": self._product().id}
            )
        self.env.invalidate_all()
        self.assertEqual(deal.expected_revenue, 5000)
        self.assertTrue(deal.active)
        self.assertFalse(deal.deal_line_ids)
        # the salesperson and the manager (also a consultant) may
        deal.with_user(self.salesperson).write({"expected_revenue": 6000})
        deal.with_user(self.manager).write({"stage_id": self.stages["quote"].id})
        self.assertEqual(deal.expected_revenue, 6000)
        self.assertEqual(deal.stage_id, self.stages["quote"])
