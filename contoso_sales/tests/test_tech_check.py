import ast
from contextlib import contextmanager

from lxml import etree
from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import ContosoCase


class TechCheckCase(ContosoCase):
    """Two deals of a gated team and the helpers the gate's tests share."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team.contoso_tech_check = True
        cls.company.contoso_tech_check_threshold = 20000
        cls.Lead = cls.env["crm.lead"]
        cls.deal = cls._deal("Fabrikam HQ alarm", 48000, "quote")
        cls.small = cls._deal("Fabrikam lobby doorbell", 12000, "quote")

    @classmethod
    def _deal(cls, name, amount, stage):
        return cls.Lead.create(
            {
                "name": name,
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "team_id": cls.team.id,
                "user_id": cls.salesperson.id,
                "stage_id": cls.stages[stage].id,
                "expected_revenue": amount,
            }
        )

    def _team_user(self, login, name):
        return new_test_user(
            self.env,
            login=login,
            name=name,
            groups="base.group_user,contoso_sales.group_technical_consultant",
        )

    def _log_check(self, deal, result="pass", user=None):
        return (
            self.env["contoso.tech.check"]
            .with_user(user or self.consultant)
            .create(
                {
                    "lead_id": deal.id,
                    "details": "<p>Site survey done, 40 sensors, wiring OK.</p>",
                    "result": result,
                }
            )
        )

    def _log_check_for(self, deal, consultant, result="fail"):
        """A check logged in a consultant's name, as a manager may: a
        consultant reads no deal below the threshold before he checks it."""
        return self.env["contoso.tech.check"].create(
            {
                "lead_id": deal.id,
                "consultant_id": consultant.id,
                "result": result,
                "details": "<p>Checked on site.</p>",
            }
        )

    def _close_message(self, deal, amount="$\xa048,000.00", stage="Close"):
        return (
            f"Deal '{deal.name}' ({amount}) needs a passed tech check before "
            f"{stage}: deals above $\xa020,000.00 must be verified by a technical "
            "consultant. Ask a technical consultant to log one."
        )

    @contextmanager
    def assertRefused(self, exception, fragment):
        # Odoo's assertRaises rolls the savepoint back; unittest's
        # assertRaisesRegex would not, so the refused write would stay.
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertIn(fragment, str(caught.exception))

    def assertStage(self, deals, stage):
        # The refused write already ran in this transaction's cache: a real
        # request rolls it back, here we read the database again.
        self.env.invalidate_all(flush=False)
        self.assertEqual(deals.stage_id, self.stages[stage])


@tagged("post_install", "-at_install")
class TestTechCheck(TechCheckCase):
    # -- computed fields -----------------------------------------------------

    def test_required_above_threshold_only(self):
        self.assertTrue(self.deal.tech_check_required)
        self.assertFalse(self.small.tech_check_required)
        at_threshold = self._deal("Exactly threshold", 20000, "quote")
        self.assertFalse(at_threshold.tech_check_required)
        self.company.contoso_tech_check_threshold = 10000
        self.small.invalidate_recordset(["tech_check_required"])
        self.assertTrue(self.small.tech_check_required)

    def test_needs_tech_check_filter(self):
        found = self.Lead.search(
            [
                ("tech_check_required", "=", True),
                ("tech_check_passed", "=", False),
                ("id", "in", (self.deal | self.small).ids),
            ]
        )
        self.assertEqual(found, self.deal)
        not_required = self.Lead.search(
            [
                ("tech_check_required", "=", False),
                ("id", "in", (self.deal | self.small).ids),
            ]
        )
        self.assertEqual(not_required, self.small)

    def test_checks_to_do_screen_lists_what_a_consultant_must_check(self):
        """*My Tech Checks to Do* as the web client opens it for a consultant:
        the action's own list (deal, customer, salesperson, stage, amount), not
        crm's opportunity list, with the action's domain and default filter."""
        action = self.env.ref("contoso_sales.crm_lead_action_tech_checks_to_do")
        view_id, view_type = action.views[0]
        self.assertEqual(
            (view_id, view_type),
            (
                self.env.ref("contoso_sales.crm_lead_view_list_tech_checks_to_do").id,
                "list",
            ),
        )
        Lead = self.Lead.with_user(self.consultant)
        views = Lead.get_views(
            [(view_id, "list"), (action.search_view_id.id, "search")]
        )
        arch = etree.fromstring(views["views"]["list"]["arch"])
        columns = [
            node.get("name") for node in arch.xpath("//field[not(@column_invisible)]")
        ]
        self.assertEqual(
            columns[:4] + columns[-1:],
            ["name", "partner_id", "city", "user_id", "expected_revenue"],
        )
        self.assertEqual(arch.get("create"), "0")
        search = etree.fromstring(views["views"]["search"]["arch"])
        domain = ast.literal_eval(action.domain)
        for name, value in ast.literal_eval(action.context).items():
            if name.startswith("search_default_") and value:
                (node,) = search.xpath(f"//filter[@name='{name[15:]}']")
                domain += ast.literal_eval(node.get("domain"))
        spec = {name: {} for name in columns}
        rows = Lead.web_search_read(domain, spec, limit=80)["records"]
        ours = [row for row in rows if row["id"] in (self.deal | self.small).ids]
        self.assertEqual([row["id"] for row in ours], self.deal.ids)
        self.assertEqual(ours[0]["expected_revenue"], 48000)
        self._log_check(self.deal)
        rows = Lead.web_search_read(domain, spec, limit=80)["records"]
        self.assertNotIn(self.deal.id, [row["id"] for row in rows])

    def test_passed_check_counts_only_for_checked_amount(self):
        check = self._log_check(self.deal)
        self.assertEqual(check.amount_checked, 48000)
        self.assertEqual(check.consultant_id, self.consultant)
        self.assertTrue(self.deal.tech_check_passed)
        self.deal.expected_revenue = 52000
        self.assertFalse(self.deal.tech_check_passed)

    def test_failed_check_does_not_pass(self):
        self._log_check(self.deal, result="fail")
        self.assertFalse(self.deal.tech_check_passed)

    # -- who may log and change checks ----------------------------------------

    def test_amount_checked_is_set_by_the_server(self):
        check = (
            self.env["contoso.tech.check"]
            .with_user(self.consultant)
            .create(
                {
                    "lead_id": self.deal.id,
                    "details": "<p>ok</p>",
                    "result": "pass",
                    "amount_checked": 1.0,
                }
            )
        )
        self.assertEqual(check.amount_checked, 48000)
        with self.assertRefused(UserError, "recorded by the server"):
            check.with_user(self.manager).amount_checked = 1.0

    def test_salesperson_cannot_log_a_check(self):
        with self.assertRaises(AccessError):
            self._log_check(self.deal, user=self.salesperson)

    def test_consultant_cannot_check_own_deal(self):
        own = self._deal("Tom's own deal", 30000, "quote")
        own.user_id = self.consultant
        with self.assertRefused(
            ValidationError,
            "Test Tom is the salesperson of deal 'Tom's own deal' and cannot check it",
        ):
            self._log_check(own)

    def test_consultant_must_be_in_consultant_group(self):
        with self.assertRefused(ValidationError, "Test Sally is not a technical"):
            self.env["contoso.tech.check"].with_user(self.manager).create(
                {
                    "lead_id": self.deal.id,
                    "consultant_id": self.salesperson.id,
                    "details": "<p>x</p>",
                    "result": "pass",
                }
            )

    def test_consultant_logs_only_as_themselves(self):
        other = self.manager.copy({"login": "t_tom2", "name": "Other Consultant"})
        with self.assertRefused(AccessError, "on behalf of another consultant"):
            self.env["contoso.tech.check"].with_user(self.consultant).create(
                {
                    "lead_id": self.deal.id,
                    "consultant_id": other.id,
                    "details": "<p>x</p>",
                    "result": "pass",
                }
            )

    def test_consultant_changes_only_own_failed_checks(self):
        failed = self._log_check(self.deal, result="fail")
        failed.with_user(self.consultant).details = "<p>Second visit planned</p>"
        other = self._team_user("t_tina", "Test Tina")
        with self.assertRefused(AccessError, "was logged by Test Tom"):
            failed.with_user(other).result = "pass"
        failed.with_user(self.manager).result = "pass"
        self.assertTrue(self.deal.tech_check_passed)

    def test_check_date_not_in_future(self):
        tomorrow = fields.Date.add(fields.Date.context_today(self.env.user), days=1)
        with self.assertRefused(ValidationError, "in the future"):
            self.env["contoso.tech.check"].with_user(self.consultant).create(
                {
                    "lead_id": self.deal.id,
                    "details": "<p>x</p>",
                    "result": "pass",
                    "check_date": tomorrow,
                }
            )

    def test_passed_check_read_only_except_managers_and_never_deleted(self):
        failed = self._log_check(self.deal, result="fail")
        failed.with_user(self.manager).unlink()
        self.assertFalse(failed.exists())
        check = self._log_check(self.deal)
        with self.assertRefused(AccessError, "is read-only"):
            check.with_user(self.consultant).details = "<p>changed</p>"
        check.with_user(self.manager).details = "<p>Corrected by manager</p>"
        self.assertIn("Corrected by manager", check.details)
        with self.assertRefused(UserError, "cannot be deleted"):
            check.with_user(self.manager).unlink()

    # -- the gate, path by path ---------------------------------------------

    def test_gate_blocks_stage_write_as_salesperson(self):
        with self.assertRaises(UserError) as error:
            self.deal.with_user(self.salesperson).stage_id = self.stages["close"]
        self.assertEqual(str(error.exception), self._close_message(self.deal))
        self.assertStage(self.deal, "quote")

    def test_gate_blocks_action_set_won(self):
        with self.assertRefused(UserError, "needs a passed tech check"):
            self.deal.with_user(self.salesperson).action_set_won()
        self.assertStage(self.deal, "quote")
        self.assertEqual(self.deal.won_status, "pending")

    def test_gate_blocks_create_in_close(self):
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            self._deal("Straight to close", 25000, "close")

    def test_gate_blocks_mass_edit(self):
        deals = self.deal | self.small
        with self.assertRefused(UserError, "Fabrikam HQ alarm"):
            deals.with_user(self.salesperson).write(
                {"stage_id": self.stages["close"].id}
            )
        self.assertStage(deals, "quote")

    def test_gate_blocks_import(self):
        result = self.Lead.with_user(self.salesperson).load(
            ["id", "stage_id/id"],
            [
                [
                    self.deal.export_data(["id"])["datas"][0][0],
                    "contoso_sales.stage_close",
                ]
            ],
        )
        self.assertFalse(result["ids"])
        self.assertIn("needs a passed tech check", result["messages"][0]["message"])
        self.assertStage(self.deal, "quote")

    def test_gate_blocks_server_action(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Close it",
                "model_id": self.env.ref("crm.model_crm_lead").id,
                "state": "code",
                "code": f"record.write({{'stage_id': {self.stages['close'].id}}})",
            }
        )
        with self.assertRefused(UserError, "needs a passed tech check"):
            action.with_context(active_model="crm.lead", active_id=self.deal.id).run()
        self.assertStage(self.deal, "quote")

    def test_gate_blocks_form(self):
        with (
            self.assertRefused(UserError, "needs a passed tech check"),
            Form(self.deal.with_user(self.salesperson)) as form,
        ):
            form.stage_id = self.stages["close"]
        self.assertStage(self.deal, "quote")

    def test_copy_of_closed_deal_starts_over_and_cannot_copy_into_close(self):
        self._log_check(self.deal)
        self.deal.stage_id = self.stages["close"]
        duplicate = self.deal.copy()
        self.assertEqual(duplicate.stage_id, self.stages["qualify"])
        self.assertFalse(duplicate.tech_check_ids)
        with self.assertRefused(UserError, "needs a passed tech check"):
            self.deal.copy({"stage_id": self.stages["close"].id})

    def test_small_deal_skips_tech_check(self):
        self.small.with_user(self.salesperson).stage_id = self.stages["close"]
        self.assertEqual(self.small.won_status, "won")

    def test_passed_check_opens_the_gate(self):
        self._log_check(self.deal)
        self.deal.with_user(self.salesperson).stage_id = self.stages["close"]
        self.assertEqual(self.deal.won_status, "won")

    def test_raising_amount_in_close_is_refused(self):
        self._log_check(self.deal)
        self.deal.stage_id = self.stages["close"]
        with self.assertRaises(UserError) as error:
            self.deal.with_user(self.salesperson).expected_revenue = 60000
        self.assertEqual(
            str(error.exception), self._close_message(self.deal, "$\xa060,000.00")
        )
        self.small.stage_id = self.stages["close"]
        with self.assertRefused(UserError, "needs a passed tech check"):
            self.small.with_user(self.salesperson).expected_revenue = 21000

    def test_team_change_cannot_dodge_the_check(self):
        other = self.env["crm.team"].create({"name": "Resellers"})
        with self.assertRefused(UserError, "cannot move to Resellers"):
            self.deal.with_user(self.salesperson).team_id = other
        self.deal.with_user(self.manager).team_id = other
        self.assertEqual(self.deal.team_id, other)

    def test_team_without_tech_checks_is_not_gated(self):
        other = self.env["crm.team"].create({"name": "Web shop"})
        deal = self.Lead.create(
            {
                "name": "Web bulk order",
                "type": "opportunity",
                "team_id": other.id,
                "expected_revenue": 90000,
            }
        )
        deal.action_set_won()
        self.assertEqual(deal.won_status, "won")

    # -- the manager's override ----------------------------------------------

    def test_override_only_by_manager_with_reason(self):
        with self.assertRefused(AccessError, "Only sales managers"):
            self.deal.with_user(
                self.salesperson
            ).tech_check_override_reason = "trust me"
        with self.assertRefused(AccessError, "Only sales managers"):
            self.deal.with_user(self.salesperson).action_contoso_tech_check_override()
        with self.assertRefused(UserError, "needs a reason"):
            self.deal.with_user(self.manager).tech_check_override_reason = "  "
        with self.assertRefused(AccessError, "recorded by the server"):
            self.deal.with_user(self.manager).write(
                {"tech_check_override_user_id": self.manager.id}
            )

    def test_override_records_who_when_why_and_opens_the_gate(self):
        action = self.deal.with_user(self.manager).action_contoso_tech_check_override()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.manager)
            .with_context(**action["context"])
            .create({"reason": "Repeat order of an identical, checked install"})
        )
        wizard.action_confirm()
        self.assertEqual(self.deal.tech_check_override_user_id, self.manager)
        self.assertTrue(self.deal.tech_check_override_date)
        self.assertEqual(self.deal.tech_check_override_amount, 48000)
        self.assertIn(
            "Repeat order of an identical, checked install",
            self.deal.message_ids[0].body,
        )
        self.deal.with_user(self.salesperson).stage_id = self.stages["close"]
        self.assertEqual(self.deal.won_status, "won")
        with self.assertRefused(UserError, "needs a passed tech check"):
            self.deal.with_user(self.salesperson).expected_revenue = 50000

    # -- cost -----------------------------------------------------------------

    def test_needs_check_compares_as_the_search(self):
        # On every deal form and kanban card: the deal's amount and company's
        # threshold, compared as the search compares them (a plain comparison
        # of amounts stored rounded), in two queries.
        deal = self.deal.with_user(self.salesperson)
        # Sally's rules are cached, as in her session.
        self.env.invalidate_all()
        self.assertTrue(deal.tech_check_required)
        self.env.invalidate_all()
        # the deal, its company's threshold
        with self.assertQueryCount(2):
            self.assertTrue(deal.tech_check_required)
        Lead = self.Lead.with_user(self.salesperson)
        for delta, required in ((0, False), (0.004, False), (0.01, True)):
            deal.expected_revenue = deal.company_id.contoso_tech_check_threshold + delta
            self.assertEqual(deal.tech_check_required, required, delta)
            self.assertEqual(
                deal in Lead.search([("tech_check_required", "=", True)]),
                required,
                delta,
            )

    def test_kanban_badge_says_what_the_four_fields_said(self):
        """The card's badges read one field, computed for the whole page at
        once; it says what the four fields they were shown from said (team
        with tech checks, above the threshold, passed, overridden), deal by
        deal, whatever the mix of a page."""
        no_checks = self.env["crm.team"].create(
            {"name": "T Team Without Checks", "contoso_tech_check": False}
        )
        passed = self._deal("T badge passed", 30000, "quote")
        self._log_check(passed)
        overridden = self._deal("T badge overridden", 30000, "quote")
        overridden.with_user(
            self.manager
        ).tech_check_override_reason = "Identical install checked last year"
        passed_and_overridden = self._deal("T badge both", 31000, "quote")
        passed_and_overridden.with_user(
            self.manager
        ).tech_check_override_reason = "Checked twice"
        self._log_check(passed_and_overridden)
        ungated = self._deal("T badge team without checks", 30000, "quote")
        ungated.team_id = no_checks
        without_company = self._deal("T badge no company", 30000, "quote")
        without_company.company_id = False
        deals = (
            self.deal
            | self.small
            | passed
            | overridden
            | passed_and_overridden
            | ungated
            | without_company
        ).with_user(self.salesperson)
        said = {}
        for deal in deals:
            self.env.invalidate_all()
            if not (deal.tech_check_team and deal.tech_check_required):
                said[deal.id] = False
            elif deal.tech_check_passed:
                said[deal.id] = "passed"
            else:
                said[deal.id] = not deal.tech_check_override_user_id and "needed"
        self.assertEqual(
            list(said.values()),
            ["needed", False, "passed", False, "passed", False, "needed"],
        )
        self.env.invalidate_all()
        self.assertEqual({deal.id: deal.tech_check_badge for deal in deals}, said)
        # the card shows the badges from that field alone
        kanban = self.Lead.with_user(self.salesperson).get_views([(False, "kanban")])
        arch = kanban["views"]["kanban"]["arch"]
        self.assertIn('name="tech_check_badge"', arch)
        for replaced in ("tech_check_team", "tech_check_required", "tech_check_passed"):
            self.assertNotIn(replaced, arch)

    def test_kanban_badge_compares_each_deal_with_its_own_company(self):
        """The badge is read for a page of deals in one query: each deal is
        compared with its own company's threshold, strictly above it, and
        the deal's changes not yet written count."""
        company_b = self.env["res.company"].create(
            {"name": "T Contoso West", "contoso_tech_check_threshold": 50000}
        )
        threshold = self.deal.company_id.contoso_tech_check_threshold
        at_threshold = self._deal("T badge at threshold", threshold, "quote")
        below_b = self._deal("T badge below west", 30000, "quote")
        above_b = self._deal("T badge above west", 60000, "quote")
        self.salesperson.company_ids |= company_b
        (below_b | above_b).company_id = company_b
        pending = self._deal("T badge pending", 100, "quote")
        deals = self.deal | at_threshold | below_b | above_b | pending
        self.env.invalidate_all()
        # a change not yet flushed: the query must see it
        pending.expected_revenue = threshold + 1
        self.assertEqual(
            deals.mapped("tech_check_badge"),
            ["needed", False, False, "needed", "needed"],
        )
        # and the answer follows the company's threshold when it changes
        company_b.contoso_tech_check_threshold = 20000
        self.env.invalidate_all()
        self.assertEqual(
            deals.mapped("tech_check_badge"),
            ["needed", False, "needed", "needed", "needed"],
        )

    def test_gate_query_count_is_constant(self):
        def deals(count, **values):
            return self.Lead.create(
                [
                    {
                        "name": f"Deal {i}",
                        "type": "opportunity",
                        "team_id": self.team.id,
                        "stage_id": self.stages["quote"].id,
                        "expected_revenue": 25000 + i,
                        **values,
                    }
                    for i in range(count)
                ]
            )

        # Deals in Close (cleared by an override) make the gate read everything;
        # one without company costs one query more: the strictest threshold.
        closed = {
            "stage_id": self.stages["close"].id,
            "tech_check_override_reason": "Identical install checked last year",
        }
        for count, values in (
            (3, {}),
            (3, {"user_id": False}),
            (5, closed),
            (6, {**closed, "user_id": False}),
        ):
            one, many = deals(1, **values), deals(21, **values)
            self.assertEqual(bool(many.company_id), "user_id" not in values)
            for check_on in (one, many):
                self.env.invalidate_all()
                with self.assertQueryCount(count):
                    check_on._check_tech_check_gate()

    def test_product_lines_raising_a_closed_deal_are_refused(self):
        doorbell = self.env["product.product"].create(
            {"name": "Gate Doorbell", "list_price": 199.0, "sale_ok": True}
        )
        self.small.stage_id = self.stages["close"]
        self.assertEqual(self.small.won_status, "won")
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            self.env["contoso.deal.line"].with_user(self.salesperson).create(
                {
                    "lead_id": self.small.id,
                    "product_id": doorbell.id,
                    "product_uom_qty": 120,
                }
            )
        self.env.invalidate_all(flush=False)
        self.assertFalse(self.small.deal_line_ids)

    def test_failing_a_passed_check_of_a_closed_deal_is_refused(self):
        check = self._log_check(self.deal)
        self.deal.stage_id = self.stages["close"]
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            check.with_user(self.manager).result = "fail"

    def test_manager_sets_threshold_without_admin_rights(self):
        self.assertFalse(self.manager.has_group("base.group_system"))
        config = self.env["contoso.sales.config"].with_user(self.manager).create({})
        self.assertEqual(config.tech_check_threshold, 20000)
        self.assertTrue(config.nurture_auto_enrol)
        config.write({"tech_check_threshold": 50000, "nurture_auto_enrol": False})
        config.action_save()
        self.assertEqual(self.company.contoso_tech_check_threshold, 50000)
        self.assertFalse(self.company.contoso_nurture_auto_enrol)
        self.deal.invalidate_recordset(["tech_check_required"])
        self.assertFalse(self.deal.tech_check_required)
        with self.assertRaises(AccessError):
            self.env["contoso.sales.config"].with_user(self.salesperson).create({})
        with self.assertRefused(ValidationError, "cannot be negative"):
            self.env["contoso.sales.config"].with_user(self.manager).create(
                {"tech_check_threshold": -1}
            )


@tagged("post_install", "-at_install")
class TestCheckedByOnAPage(TechCheckCase):
    """*Checked By* (`tech_check_consultant_ids`), which the consultants' record
    rules follow, is assigned once per distinct set of consultants for a page
    of deals: each deal of a page read together gets its own consultants."""

    def test_a_page_of_deals_gets_each_deal_s_own_consultants(self):
        other = self._team_user("t_toby", "Test Toby")
        by_tom = self._deal("Checked by Tom", 30000, "quote")
        by_toby = self._deal("Checked by Toby", 31000, "quote")
        by_both = self._deal("Checked by both", 32000, "quote")
        self._log_check(by_tom, result="fail")
        self._log_check(by_toby, result="fail", user=other)
        self._log_check(by_both, result="fail")
        self._log_check(by_both, result="fail", user=other)
        # below the threshold: only who checked them reads them
        small_by_toby = self._deal("Small, checked by Toby", 15000, "quote")
        self._log_check_for(small_by_toby, other, result="pass")
        self._log_check_for(self.small, self.consultant, result="pass")
        page = self.deal + by_tom + by_toby + by_both + self.small + small_by_toby
        expected = {
            self.deal: self.env["res.users"],
            by_tom: self.consultant,
            by_toby: other,
            by_both: self.consultant + other,
            self.small: self.consultant,
            small_by_toby: other,
        }
        self.env.invalidate_all()
        page.mapped("tech_check_consultant_ids")  # computed for the page at once
        for deal, consultants in expected.items():
            self.assertEqual(deal.tech_check_consultant_ids, consultants, deal.name)
        # and what the rules make of it, on the same page: each consultant
        # reads the deals above the threshold and the small deal he checked
        for user, own, others in (
            (self.consultant, self.small, small_by_toby),
            (other, small_by_toby, self.small),
        ):
            self.env.invalidate_all()
            readable = page.with_user(user)._filtered_access("read")
            self.assertEqual(readable, page - others, user.login)
            self.assertIn(own, readable)
