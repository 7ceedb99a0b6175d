import re

from lxml import etree
from odoo.tests import tagged
from odoo.tools.misc import file_open
from odoo.tools.safe_eval import safe_eval

from .common import ContosoCase

RESIDUAL = re.compile(r"opportunit", re.IGNORECASE)
# Attributes of a view node that a user reads on screen (labels, tooltips).
VISIBLE_ATTRS = (
    "string",
    "help",
    "placeholder",
    "title",
    "confirm",
    "aria-label",
    "data-tooltip",
    "sum",
    "avg",
)
# Models whose screens the CRM menus open: their views must say "Deal".
DEAL_MODELS = ("crm.lead", "crm.activity.report")
WIZARD_MODELS = (
    "crm.lead2opportunity.partner",
    "crm.lead2opportunity.partner.mass",
    "crm.merge.opportunity",
)
# Strings built in Odoo's own Python code: no view or data record carries them,
# so the addon cannot rename them (README, "Known limits"). Pinned here so the
# list stays true when Odoo changes: a string that disappears fails the test.
KNOWN_LIMITS = {
    "crm/models/crm_lead.py": (
        "Lead or Opportunity",
        "Create an opportunity to start playing with your pipeline.",
        "Select at least two Leads/Opportunities from the list to merge them.",
        "To prevent data loss, Leads and Opportunities can only be merged by "
        "groups of %(max_length)s.",
        "Import Template for Leads & Opportunities",
    ),
    "crm/models/crm_team.py": (
        "Create an Opportunity",
        "Lead/Opportunities automatic assignment is limited to managers or "
        "administrators",
    ),
    "crm/models/res_partner.py": ("Opportunities",),
    "crm/wizard/crm_lead_to_opportunity.py": (
        "Closed/Dead leads cannot be converted into opportunities.",
    ),
    "crm/static/src/views/crm_form/crm_pls_tooltip_button.xml": (
        "Close opportunities to get insights.",
    ),
    "crm/static/src/js/tours/crm.js": (
        "<b>Create your first opportunity.</b>",
        "Now, <b>add your Opportunity</b> to your Pipeline.",
    ),
}


@tagged("post_install", "-at_install")
class TestDealTerms(ContosoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Loads the French terms of every installed module, ours last, as
        # Settings > Languages does when a user activates French.
        cls.env["res.lang"]._activate_and_install_lang("fr_FR")
        cls.root = cls.env.ref("crm.crm_menu_root")

    def _menus(self, lang):
        return (
            self.env["ir.ui.menu"]
            .with_context(lang=lang, **{"ir.ui.menu.full_list": True})
            .search([("id", "child_of", self.root.id)])
        )

    def _actions(self, lang):
        """Window actions the CRM menus open, as the web client receives them;
        server actions are run as the sales manager (member of a team)."""
        actions = []
        for menu in self._menus(lang):
            action = menu.action
            if not action:
                continue
            if action._name == "ir.actions.server":
                result = action.with_user(self.manager).with_context(lang=lang).run()
                if result:
                    actions.append(result)
            elif action._name == "ir.actions.act_window":
                actions.append(
                    action.with_context(lang=lang)._get_action_dict()
                    if hasattr(action, "_get_action_dict")
                    else action.with_context(lang=lang).read()[0]
                )
        return actions

    def _arch_texts(self, arch):
        for node in etree.fromstring(arch).iter():
            if not isinstance(node.tag, str):
                continue
            for attr in VISIBLE_ATTRS:
                if node.get(attr):
                    yield node.get(attr)
            for text in (node.text, node.tail):
                if text and text.strip():
                    yield text.strip()

    def _views_texts(self, model, views, lang, context=None, user=None):
        view_refs = {
            key: value
            for key, value in (context or {}).items()
            if key.endswith("_view_ref")
        }
        result = (
            self.env[model]
            .with_user(user or self.env.user)
            .with_context(lang=lang, **view_refs)
            .get_views(views, {"toolbar": True, "load_filters": True})
        )
        for view_type, view in result["views"].items():
            where = f"{model} {view_type} view"
            for text in self._arch_texts(view["arch"]):
                yield where, text
            for key, bound in view.get("toolbar", {}).items():
                for action in bound:
                    yield f"{where} {key} menu", action["name"]
            for filter_ in view.get("filters", []):
                yield f"{where} favorite", filter_["name"]
        for model_name, info in result["models"].items():
            yield from self._fields_texts(model_name, info["fields"])

    def _arch_texts_of(self, model, view, lang, user):
        """Labels of one view's arch only: the partner form shows fields of
        many apps that have nothing to do with deals."""
        arch = (
            self.env[model]
            .with_user(user)
            .with_context(lang=lang)
            .get_view(view.id, "form")["arch"]
        )
        for text in self._arch_texts(arch):
            yield f"{model} form view", text

    def _fields_texts(self, model, fields):
        for name, field in fields.items():
            where = f"{model}.{name}"
            yield where, field.get("string") or ""
            yield where, field.get("help") or ""
            for _key, label in field.get("selection") or []:
                yield where, label

    def _screen_texts(self, lang):
        """Every label a user of the CRM app reads, in `lang`."""
        for menu in self._menus(lang):
            yield f"menu {menu.complete_name}", menu.name
        for action in self._actions(lang):
            where = f"action {action.get('xml_id') or action.get('id')}"
            yield where, action.get("name") or ""
            yield where, action.get("help") or ""
            model = action.get("res_model")
            if model not in DEAL_MODELS:
                continue
            views = [list(view) for view in action.get("views") or []]
            search = action.get("search_view_id")
            views.append([search and search[0], "search"])
            context = action.get("context") or {}
            if isinstance(context, str):
                context = safe_eval(context, {"uid": self.env.uid, "active_id": 0})
            yield from self._views_texts(model, views, lang, context)
        quick_create = self.env.ref("crm.quick_create_opportunity_form")
        yield from self._views_texts("crm.lead", [[quick_create.id, "form"]], lang)
        for model in WIZARD_MODELS:
            yield from self._views_texts(model, [[False, "form"]], lang)
        # The sales teams dashboard (CRM > Sales Teams) and the partner form's
        # smart button, as a sales manager sees them.
        dashboard = self.env.ref("sales_team.crm_team_view_kanban_dashboard")
        yield from self._views_texts(
            "crm.team", [[dashboard.id, "kanban"]], lang, user=self.manager
        )
        partner_form = self.env.ref("base.view_partner_form")
        yield from self._arch_texts_of(
            "res.partner", partner_form, lang, user=self.manager
        )
        yield from self._fields_texts(
            "crm.lead", self.env["crm.lead"].with_context(lang=lang).fields_get()
        )
        subtypes = (
            self.env["mail.message.subtype"]
            .with_context(lang=lang)
            .search([("res_model", "in", ("crm.lead", "crm.team"))])
        )
        for subtype in subtypes:
            yield f"subtype {subtype.id}", subtype.name
            yield f"subtype {subtype.id}", subtype.description or ""
        activity_types = (
            self.env["mail.activity.type"]
            .with_context(lang=lang)
            .search([("res_model", "=", "crm.lead")])
        )
        for activity_type in activity_types:
            yield f"activity type {activity_type.id}", activity_type.name
            yield f"activity type {activity_type.id}", activity_type.summary or ""

    def test_no_opportunity_left_on_crm_screens(self):
        for lang in ("en_US", "fr_FR"):
            with self.subTest(lang=lang):
                residual = sorted(
                    {
                        f"{where}: {text!r}"
                        for where, text in self._screen_texts(lang)
                        if RESIDUAL.search(text)
                    }
                )
                self.assertFalse(
                    residual,
                    f"{len(residual)} labels still say Opportunity in {lang}:\n"
                    + "\n".join(residual),
                )

    def test_deal_labels_in_english_and_french(self):
        expected = {
            "en_US": ("Deals", "New Deal", "Convert to Deal", "Deal"),
            "fr_FR": (
                "Transactions",
                "Nouvelle transaction",
                "Convertir en transaction",
                "Transaction",
            ),
        }
        config_menu = self.env.ref("crm.menu_crm_config_opportunity")
        pipeline = self.env.ref("crm.crm_lead_action_pipeline")
        for lang, (menu, new, convert, label) in expected.items():
            with self.subTest(lang=lang):
                self.assertEqual(config_menu.with_context(lang=lang).name, menu)
                self.assertEqual(pipeline.with_context(lang=lang).name, "Pipeline")
                form = (
                    self.env["crm.lead"]
                    .with_context(lang=lang)
                    .get_view(self.env.ref("crm.crm_lead_view_form").id, "form")
                )
                self.assertIn(f'string="{convert}"', form["arch"])
                fields = (
                    self.env["crm.lead"]
                    .with_context(lang=lang)
                    .fields_get(["type", "name"], ["string", "selection"])
                )
                self.assertIn(("opportunity", label), fields["type"]["selection"])
                self.assertEqual(fields["name"]["string"], label)
                new_action = self.env.ref("crm.action_opportunity_form")
                self.assertEqual(new_action.with_context(lang=lang).name, new)

    def test_enrich_button_of_a_deal_says_deal(self):
        """Odoo's Lead Enrichment installs itself with crm; the bridge
        contoso_sales_iap_enrich installs itself with both."""
        enrich = self.env["ir.module.module"].search(
            [("name", "=", "crm_iap_enrich"), ("state", "=", "installed")]
        )
        if not enrich:
            self.skipTest("crm_iap_enrich is not installed: no Enrich button")
        expected = {
            "en_US": "Enrich deal with company data",
            "fr_FR": "Enrichir la transaction avec des données de la société",
        }
        form = self.env.ref("crm.crm_lead_view_form")
        for lang, title in expected.items():
            with self.subTest(lang=lang):
                arch = (
                    self.env["crm.lead"]
                    .with_user(self.salesperson)
                    .with_context(lang=lang)
                    .get_view(form.id, "form")["arch"]
                )
                titles = etree.fromstring(arch).xpath(
                    "//button[@name='iap_enrich']/@title"
                )
                self.assertIn(title, titles)
                self.assertFalse([t for t in titles if RESIDUAL.search(t)])

    def test_known_limits_still_in_odoo_source(self):
        """Each known limit is a string of Odoo's code that still says
        Opportunity; when Odoo drops one, remove it from README too."""
        for path, strings in KNOWN_LIMITS.items():
            with file_open(path) as source:
                code = source.read()
            for string in strings:
                with self.subTest(path=path, string=string):
                    self.assertIn(string, code)
                    self.assertRegex(string, RESIDUAL)
