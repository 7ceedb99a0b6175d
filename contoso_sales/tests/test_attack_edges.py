import ast

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_tech_check import TechCheckCase


@tagged("post_install", "-at_install")
class TestAttackEdges(TechCheckCase):
    """Red-team attacks on the finished gate and visibility, each as the role
    that would exploit it: the paths nobody listed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lenient = cls.env["res.company"].create(
            {"name": "Contoso Lenient", "contoso_tech_check_threshold": 100000}
        )
        cls.salesperson.company_ids = [(4, cls.lenient.id)]
        cls.product = cls.env["product.product"].create(
            {"name": "Attack Alarm Kit", "list_price": 4800.0, "sale_ok": True}
        )

    def _order(self, deal=False, qty=10):
        return (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": self.customer.id,
                    "opportunity_id": deal and deal.id,
                    "order_line": [
                        (0, 0, {"product_id": self.product.id, "product_uom_qty": qty})
                    ],
                }
            )
        )

    # -- the gate -------------------------------------------------------------

    def test_company_change_with_a_new_amount_still_needs_the_check(self):
        # Sally changes the amount by a dollar in the write that moves the
        # deal to her lenient company: still a deal that needs a check.
        as_sally = self.deal.with_user(self.salesperson).with_context(
            allowed_company_ids=[self.company.id, self.lenient.id]
        )
        with self.assertRefused(UserError, "whose threshold is higher"):
            as_sally.write({"company_id": self.lenient.id, "expected_revenue": 48001})
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.deal.company_id, self.company)
        self.assertEqual(self.deal.expected_revenue, 48000)
        self.assertEqual(self.deal.stage_id, self.stages["quote"])

    def test_linking_a_confirmed_order_to_an_unchecked_deal_is_refused(self):
        # Confirmed without a deal, then linked to the deal that needs a check.
        order = self._order()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        with self.assertRefused(UserError, "needs a passed tech check before its"):
            order.write({"opportunity_id": self.deal.id})
        self.env.invalidate_all(flush=False)
        self.assertFalse(order.opportunity_id)
        self.assertFalse(self.deal.order_ids)

    def test_confirmed_order_cannot_raise_a_closed_deal_above_the_threshold(self):
        # sale_crm raises the deal's expected revenue to the confirmed order's
        # untaxed amount: a small deal already closed would hold $48k unchecked.
        self.small.with_user(self.salesperson).stage_id = self.stages["close"]
        order = self._order(self.small)
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            order.action_confirm()
        self.env.invalidate_all(flush=False)
        self.assertEqual(order.state, "draft")
        self.assertEqual(self.small.expected_revenue, 12000)

    # -- what each role reads ---------------------------------------------------

    def test_checks_of_hidden_deals_stay_hidden_through_their_chatter(self):
        colleague = self._role_user("other salesperson")
        self.deal.user_id = colleague
        check = self._log_check(self.deal)
        check.message_post(body="<p>secret wiring plan</p>")
        messages = (
            self.env["mail.message"]
            .with_user(self.salesperson)
            .search_read(
                [("model", "=", "contoso.tech.check"), ("res_id", "=", check.id)],
                ["body"],
            )
        )
        self.assertEqual(messages, [])
        with self.assertRaises(AccessError):
            self.env["mail.tracking.value"].with_user(self.salesperson).search_read(
                [("mail_message_id.res_id", "=", check.id)], ["new_value_char"]
            )
        with self.assertRaises(AccessError):
            check.with_user(self.salesperson).read(["details"])

    def test_employees_and_accountants_read_no_spend(self):
        employee = self._role_user("employee")
        accountant = self._role_user("accountant")
        for user in (employee, accountant):
            with self.assertRaises(AccessError):
                self.env["res.partner"].with_user(user).read_group(
                    [], ["contoso_spend_total:sum"], ["is_company"]
                )
            with self.assertRaises(AccessError):
                self.env["contoso.customer"].with_user(user).search_read(
                    [], ["spend_total"]
                )
            with self.assertRaises(AccessError):
                self.env["contoso.family.report"].with_user(user).search_read(
                    [], ["amount"]
                )
            with self.assertRaises(AccessError):
                self.env["contoso.white.space"].with_user(user).get_matrix(
                    self.customer.id
                )

    def test_import_errors_stay_in_their_company(self):
        # The rows of another company's import (names, e-mails, birth dates in
        # their original columns) are that company's data.
        other = self.env["res.company"].create({"name": "Contoso West"})
        admin = self._role_user("data admin")
        batch = (
            self.env["contoso.import.batch"]
            .with_company(other)
            .create({"source": "contacts", "filename": "west.csv"})
        )
        error = self.env["contoso.import.error"].create(
            {
                "batch_id": batch.id,
                "line": 2,
                "reason": "bad date",
                "cells": {"FullName": "Zoe Dupont", "BirthDate": "31/02/1990"},
            }
        )
        Error = self.env["contoso.import.error"].with_user(admin)
        self.assertFalse(Error.search_read([("id", "=", error.id)], ["cells"]))
        with self.assertRaises(AccessError):
            Error.browse(error.id).read(["cells"])

    def test_confirmed_order_above_the_checked_amount_is_refused(self):
        # Tom verified $48k; Sally confirms a $60k order on the deal. sale_crm
        # raises the deal to $60k after the order's own gate saw a cleared deal.
        self._log_check(self.deal)
        self.product.list_price = 6000.0
        order = self._order(self.deal)
        self.assertEqual(order.amount_untaxed, 60000)
        with self.assertRefused(UserError, "needs a passed tech check before its"):
            order.action_confirm()
        self.env.invalidate_all(flush=False)
        self.assertEqual(order.state, "draft")
        self.assertEqual(self.deal.expected_revenue, 48000)
        self.assertTrue(self.deal.tech_check_passed)

    def test_won_lost_and_restore_paths_meet_the_gate(self):
        as_sally = self.deal.with_user(self.salesperson)
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            as_sally.action_set_won_rainbowman()
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            as_sally.write({"probability": 100, "stage_id": self.stages["close"].id})
        # checked, won, then archived (Odoo refuses to lose a won deal): raising
        # the amount of the archived deal, then unarchiving it, would bring
        # back a won deal that was never checked
        self._log_check(self.deal)
        as_sally.action_set_won()
        as_sally.action_archive()
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            as_sally.expected_revenue = 90000
        as_sally.action_unarchive()
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.deal.expected_revenue, 48000)
        self.assertEqual(self.deal.won_status, "won")
        self.assertTrue(self.deal.tech_check_passed)

    def test_team_alias_cannot_log_checks_on_the_deals_it_creates(self):
        # Odoo's Sales Administrator edits the team's alias defaults (Odoo
        # writes them as superuser); the mail gateway then creates each deal
        # as superuser, in Close, with a passed check "logged" by Tom.
        sales_admin = new_test_user(
            self.env,
            login="t_odoo_sadmin",
            name="Odoo Sales Admin",
            groups="base.group_user,sales_team.group_sale_manager",
        )
        defaults = {
            "type": "opportunity",
            "stage_id": self.stages["close"].id,
            "expected_revenue": 50000,
            "tech_check_ids": [
                (
                    0,
                    0,
                    {
                        "consultant_id": self.consultant.id,
                        "details": "<p>never done</p>",
                        "result": "pass",
                    },
                )
            ],
        }
        before = self.team.alias_defaults
        with self.assertRefused(UserError, "cannot set tech_check_ids"):
            self.team.with_user(sales_admin).write({"alias_defaults": str(defaults)})
        self.env.invalidate_all(flush=False)
        self.assertEqual(self.team.alias_defaults, before)
        # what the gateway would do with the team's defaults
        deal = self.Lead.sudo().message_new(
            {"subject": "Alarm for our HQ", "email_from": "buyer@example.com"},
            custom_values=ast.literal_eval(self.team.alias_defaults or "{}"),
        )
        self.assertFalse(deal.tech_check_ids)
