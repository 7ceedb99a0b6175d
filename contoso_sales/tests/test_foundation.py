from lxml import etree
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestFoundation(ContosoCase):
    def test_stages_belong_to_contoso_team_in_order(self):
        stages = self.env["crm.stage"].search([("team_ids", "in", self.team.ids)])
        self.assertEqual(
            stages.mapped("name"),
            ["Qualify", "Develop", "Quote", "Tech Check", "Close"],
        )
        self.assertTrue(all(stage.requirements for stage in stages))
        self.assertEqual(stages.filtered("is_won"), self.stages["close"])

    def test_new_deal_of_contoso_team_starts_in_qualify(self):
        deal = (
            self.env["crm.lead"]
            .with_user(self.salesperson)
            .create(
                {
                    "name": "Doorbells for Fabrikam",
                    "type": "opportunity",
                    "partner_id": self.customer.id,
                    "team_id": self.team.id,
                }
            )
        )
        self.assertEqual(deal.stage_id, self.stages["qualify"])

    def test_other_teams_keep_odoo_shared_stages(self):
        other = self.env["crm.team"].create({"name": "Resellers"})
        deal = self.env["crm.lead"].create(
            {"name": "Reseller deal", "type": "opportunity", "team_id": other.id}
        )
        self.assertFalse(deal.stage_id.team_ids)

    def test_team_without_own_stages_only_keeps_odoo_rule(self):
        other = self.env["crm.team"].create({"name": "Resellers"})
        special = self.env["crm.stage"].create(
            {"name": "Reseller review", "team_ids": [(4, other.id)], "sequence": 2}
        )
        leads = self.env["crm.lead"].with_context(default_team_id=other.id)
        stages = leads._read_group_stage_ids(self.env["crm.stage"], [])
        self.assertIn(special, stages)
        self.assertTrue(stages.filtered(lambda stage: not stage.team_ids))
        self.assertNotIn(self.stages["qualify"], stages)

    def test_pipeline_columns_of_contoso_team_are_its_own(self):
        leads = self.env["crm.lead"].with_context(default_team_id=self.team.id)
        groups = leads.read_group(
            [("team_id", "=", self.team.id)], ["stage_id"], ["stage_id"]
        )
        names = [group["stage_id"][1] for group in groups]
        self.assertEqual(names, ["Qualify", "Develop", "Quote", "Tech Check", "Close"])

    def test_manager_role_implies_the_other_roles(self):
        self.assertTrue(self.manager.has_group("contoso_sales.group_salesperson"))
        self.assertTrue(
            self.manager.has_group("contoso_sales.group_technical_consultant")
        )
        self.assertTrue(self.manager.has_group("sales_team.group_sale_manager"))
        self.assertFalse(self.salesperson.has_group("sales_team.group_sale_manager"))
        self.assertFalse(
            self.salesperson.has_group("contoso_sales.group_technical_consultant")
        )

    def test_deal_form_status_bar_offers_only_its_pipeline_stages(self):
        deal = self.env["crm.lead"].create(
            {"name": "Bar", "type": "opportunity", "team_id": self.team.id}
        )
        self.assertEqual(
            deal.contoso_stage_ids.mapped("name"),
            ["Qualify", "Develop", "Quote", "Tech Check", "Close"],
        )
        other = self.env["crm.team"].create({"name": "Resellers"})
        deal.team_id = other
        self.assertFalse(deal.contoso_stage_ids.team_ids)

    def test_pipeline_columns_open_with_as_many_cards_as_odoo_s(self):
        """A salesperson's pipeline opens each of its five stage columns with
        as many cards as Odoo's own pipeline kanban does: no card Odoo would
        show is behind "Load more"."""
        Lead = self.env["crm.lead"].with_user(self.salesperson)
        arch = Lead.get_views([(False, "kanban")])["views"]["kanban"]["arch"]
        odoo_arch = self.env.ref("crm.crm_case_kanban_view_leads").arch_db
        self.assertEqual(
            etree.fromstring(arch).get("limit"),
            etree.fromstring(odoo_arch).get("limit"),
        )
        columns = self.env["crm.stage"].search_count(
            [("team_ids", "in", self.team.ids), ("fold", "=", False)]
        )
        self.assertEqual(columns, 5)

    def test_deal_form_stage_bar_domain_is_the_pipeline_stages(self):
        """The form's stage bar offers Pipeline Stages (contoso_stage_ids)
        through a domain on the team the form reads anyway: a team keeping to
        its own stages, a team sharing Odoo's stages with one of its own, no
        team; the domain evaluated as the web client does, from the form's
        values."""
        resellers = self.env["crm.team"].create({"name": "Resellers"})
        self.env["crm.stage"].create(
            {"name": "Reseller Review", "team_ids": [(4, resellers.id)]}
        )
        Lead = self.env["crm.lead"].with_user(self.salesperson)
        view = Lead.get_views([(False, "form")])["views"]["form"]
        (bar,) = etree.fromstring(view["arch"]).xpath(
            "//header/field[@name='stage_id']"
        )
        offered = {}
        for team in (self.team, resellers, self.env["crm.team"]):
            deal = Lead.create(
                {"name": f"Bar {team.name}", "type": "opportunity", "team_id": team.id}
            )
            values = deal.web_read({"team_id": {}, "contoso_team_own_stages": {}})[0]
            domain = safe_eval(bar.get("domain"), values)
            offered[team] = self.env["crm.stage"].search(domain)
            self.assertEqual(offered[team], deal.contoso_stage_ids, team.name)
        self.assertEqual(
            offered[self.team].mapped("name"),
            ["Qualify", "Develop", "Quote", "Tech Check", "Close"],
        )
        self.assertIn("Reseller Review", offered[resellers].mapped("name"))
        self.assertFalse(offered[self.env["crm.team"]].team_ids)
        self.assertEqual(
            offered[resellers] - offered[self.env["crm.team"]],
            offered[resellers].filtered("team_ids"),
        )

    def test_manager_pipeline_opens_on_the_team_deals(self):
        """A sales administrator whose main team is Contoso Sales (the demo's
        admin, maria) lands on the team's deals, not on their own ones; a
        salesperson keeps "My Pipeline"."""
        other = self.env["crm.team"].create({"name": "Resellers"})
        theirs = self.env["crm.lead"].create(
            [
                {
                    "name": name,
                    "type": "opportunity",
                    "team_id": team.id,
                    "user_id": user.id,
                }
                for name, team, user in (
                    ("Sally's Contoso deal", self.team, self.salesperson),
                    ("Manager's reseller deal", other, self.manager),
                )
            ]
        )
        for user, expected in (
            (self.manager, theirs[0]),
            (self.salesperson, theirs[0]),
        ):
            with self.subTest(user=user.name):
                action = self.env["crm.team"].with_user(user).action_your_pipeline()
                context = action["context"]
                defaults = {
                    key[len("search_default_") :]: value
                    for key, value in context.items()
                    if key.startswith("search_default_") and value
                }
                domain = [("type", "=", "opportunity")]
                if "assigned_to_me" in defaults:
                    domain.append(("user_id", "=", user.id))
                if "team_id" in defaults:
                    domain.append(("team_id", "=", defaults["team_id"]))
                seen = (
                    self.env["crm.lead"]
                    .with_user(user)
                    .search(domain + [("id", "in", theirs.ids)])
                )
                self.assertEqual(seen, expected)
                self.assertEqual(
                    set(defaults),
                    {"team_id"} if user == self.manager else {"assigned_to_me"},
                )
