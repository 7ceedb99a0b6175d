"""Red team of the thresholds read in one narrow query (b6add01): the gate
reads each deal's company threshold with ``companies.fetch([threshold,
currency])`` instead of the company's whole row. Each test is the attack of
a role, in a company context, with the cache in one state or another."""

import logging
from contextlib import suppress
from unittest.mock import patch

from lxml import etree
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .test_tech_check import TechCheckCase

_logger = logging.getLogger(__name__)


class _Undo(Exception):
    """Rolls a savepoint back after a change that went through."""


def _old_thresholds(self):
    """`crm.lead._tech_check_thresholds` as it was before b6add01 (the ORM's
    prefetch of the company's whole row), to compare query counts with."""
    by_company = {
        company.id: company.contoso_tech_check_threshold for company in self.company_id
    }
    company_ids = {lead.id: lead.company_id.id for lead in self}
    if not all(company_ids.values()):
        by_company[False] = self._tech_check_strictest_threshold()
    return {
        lead_id: by_company[company_id] for lead_id, company_id in company_ids.items()
    }


def _field_nodes(node):
    """The field nodes of a view, not those of its x2many fields' sub-views."""
    for child in node.iterchildren(tag=etree.Element):
        if child.tag == "field":
            yield child
        else:
            yield from _field_nodes(child)


def _spec(arch, fields):
    """The web client's specification of a view's fields (its getFieldsSpec,
    as bench_load's view_specification, without the x2many sub-views):
    many2one with their display name, x2many of tags with theirs."""
    spec = {}
    for node in _field_nodes(etree.fromstring(arch)):
        name = node.get("name")
        info = fields.get(name)
        if info is None:
            continue
        hidden = node.get("invisible") in ("True", "1")
        if info["type"] in ("many2one", "reference"):
            spec[name] = {"fields": {} if hidden else {"display_name": {}}}
        elif info["type"] in ("one2many", "many2many"):
            tags = node.get("widget", "").startswith("many2many_tags")
            spec[name] = {"fields": {"display_name": {}}} if tags and not hidden else {}
        else:
            spec[name] = {}
    return spec


@tagged("post_install", "-at_install")
class TestThresholdFetchRedteam(TechCheckCase):
    """Company A (the test company, 20,000) and B (T Contoso West, 30,000); a
    deal of B worth 40,000 in Quote, in Contoso's gated team."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create(
            {"name": "T Contoso West", "contoso_tech_check_threshold": 30000}
        )
        both = [Command.link(cls.company_b.id)]
        (cls.salesperson | cls.consultant | cls.manager).company_ids = both
        cls.data_admin = cls._role_user(
            "data admin", company_ids=[Command.set((cls.company | cls.company_b).ids)]
        )
        # a salesperson of company B alone: company A is one she cannot read
        cls.bea = new_test_user(
            cls.env,
            login="t_bea",
            name="Test Bea",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
            groups="base.group_user,contoso_sales.group_salesperson",
        )
        cls.team.member_ids = [Command.link(cls.bea.id)]
        cls.deal_b = cls.Lead.create(
            {
                "name": "T West warehouse alarm",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "team_id": cls.team.id,
                "user_id": cls.salesperson.id,
                "company_id": cls.company_b.id,
                "stage_id": cls.stages["quote"].id,
                "expected_revenue": 40000,
            }
        )

    def _as(self, user, companies, deal=None):
        return (
            (deal or self.deal_b)
            .with_user(user)
            .with_context(allowed_company_ids=companies.ids)
        )

    def _fresh(self, warm):
        """A new request's cache; `warm`: with the companies' whole rows read
        as superuser beforehand (as some sudo code of the request may)."""
        self.env.flush_all()
        self.env.invalidate_all()
        if warm:
            (self.company | self.company_b).sudo().fetch()

    # -- multi-company, every role ----------------------------------------------

    def test_deal_of_b_in_each_role_and_company_context(self):
        A, B = self.company, self.company_b
        close = self.stages["close"]
        # (user, allowed companies, owner of the deal, what the move meets)
        cases = [
            (self.salesperson, A, self.salesperson, "access"),
            (self.salesperson, A | B, self.salesperson, "gate"),
            (self.salesperson, B | A, self.salesperson, "gate"),
            (self.salesperson, B, self.salesperson, "gate"),
            (self.bea, B, self.bea, "gate"),
            (self.bea, A, self.bea, "access"),
            (self.manager, A, self.salesperson, "access"),
            (self.manager, A | B, self.salesperson, "gate"),
            (self.manager, B, self.salesperson, "gate"),
            (self.data_admin, A, self.data_admin, "access"),
            (self.data_admin, B | A, self.data_admin, "gate"),
            (self.consultant, B, self.salesperson, "consultant"),
            (self.consultant, A, self.salesperson, "access"),
        ]
        for warm in (False, True):
            for user, companies, owner, expected in cases:
                label = (user.login, companies.ids, "warm" if warm else "cold")
                # (team and stage given: else crm recomputes them from the user)
                self.deal_b.write(
                    {
                        "user_id": owner.id,
                        "team_id": self.team.id,
                        "stage_id": self.stages["quote"].id,
                    }
                )
                self._fresh(warm)
                deal = self._as(user, companies)
                if expected == "gate":
                    self.assertTrue(deal.tech_check_required, label)
                    self.assertEqual(deal.tech_check_badge, "needed", label)
                    self._fresh(warm)
                for move in (
                    lambda deal: deal.write({"stage_id": close.id}),
                    lambda deal: deal.action_set_won(),
                ):
                    with self.assertRaises(UserError, msg=label) as caught:
                        move(deal)
                    if expected == "gate":
                        self.assertNotIsInstance(caught.exception, AccessError, label)
                        self.assertIn(
                            "needs a passed tech check before Close",
                            str(caught.exception),
                            label,
                        )
                    else:
                        self.assertIsInstance(caught.exception, AccessError, label)
                    self.assertStage(self.deal_b, "quote")
                    self._fresh(warm)

    def test_superuser_paths_keep_the_gate_on_a_deal_of_b(self):
        for deal in (
            self.deal_b.sudo(),
            self._as(self.salesperson, self.company).sudo(),
            self._as(self.manager, self.company_b).sudo(),
        ):
            for warm in (False, True):
                self._fresh(warm)
                with self.assertRaises(UserError) as caught:
                    deal.write({"stage_id": self.stages["close"].id})
                self.assertNotIsInstance(caught.exception, AccessError)
                self.assertIn("needs a passed tech check", str(caught.exception))
                self.assertStage(self.deal_b, "quote")

    def test_manager_moves_a_checked_closed_deal_to_another_company(self):
        """A manager may move a deal to another of his companies (the gate
        only refuses it to salespeople), here with a client that sends
        company A only, so that he cannot read company B. The gate re-judges
        a deal in Close against B's threshold: Odoo 19 runs constraints as
        superuser (_validate_fields), so reading that threshold is not the
        user's company rules' business, and the answer does not depend on
        whether B's row is in the request's cache (fetch() checks the rules
        even on cached fields, _fetch_field only on a miss)."""
        open_deal = self._deal("T open, checked", 40000, "quote")
        won_deal = self._deal("T checked and won", 40000, "quote")
        self._log_check(open_deal)
        self._log_check(won_deal)
        won_deal.stage_id = self.stages["close"]
        self.assertEqual(won_deal.won_status, "won")
        outcomes = {}
        for deal in (open_deal, won_deal):
            for warm in (False, True):
                self._fresh(warm)
                as_maria = self._as(self.manager, self.company, deal)
                key = (deal.name, "warm" if warm else "cold")
                try:
                    with suppress(_Undo), self.env.cr.savepoint():
                        as_maria.write({"company_id": self.company_b.id})
                        self.env.flush_all()
                        outcomes[key] = "moved"
                        raise _Undo
                except AccessError as error:
                    outcomes[key] = f"AccessError: {error}"[:160]
                self.env.invalidate_all(flush=False)
                self.assertEqual(deal.company_id, self.company)
        # Odoo moves the open deal (the control); the gate must not turn the
        # won one into a res.company AccessError
        self.assertEqual(set(outcomes.values()), {"moved"}, outcomes)

    # -- the threshold and the currency changed earlier in the transaction -------

    def test_threshold_lowered_then_stage_move_in_the_same_transaction(self):
        deal = self._as(self.salesperson, self.company_b)
        self.company_b.contoso_tech_check_threshold = 45000
        # B's threshold and currency in cache, read by the narrow fetch
        self.env.invalidate_all()
        self.assertFalse(deal.tech_check_required)
        self.assertFalse(deal.tech_check_badge)
        config = (
            self.env["contoso.sales.config"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=self.company_b.ids)
            .create({"tech_check_threshold": 30000})
        )
        config.action_save()
        self.assertEqual(self.company_b.contoso_tech_check_threshold, 30000)
        # same env, same transaction, nothing invalidated by hand
        self.assertTrue(deal.tech_check_required)
        self.assertEqual(deal.tech_check_badge, "needed")
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            deal.stage_id = self.stages["close"]
        self.assertStage(self.deal_b, "quote")

    def test_threshold_raised_by_superuser_then_lowered_unflushed(self):
        deal = self._as(self.salesperson, self.company_b)
        self.env.invalidate_all()
        self.assertTrue(deal.tech_check_required)
        # a pending (unflushed) write of the threshold is what counts
        self.company_b.sudo().contoso_tech_check_threshold = 45000
        self.assertFalse(deal.tech_check_required)
        self.company_b.sudo().contoso_tech_check_threshold = 39999
        self.assertTrue(deal.tech_check_required)
        self.assertEqual(deal.tech_check_badge, "needed")
        with self.assertRefused(UserError, "needs a passed tech check before Close"):
            deal.stage_id = self.stages["close"]
        self.assertStage(self.deal_b, "quote")

    def test_currency_changed_then_stage_move_in_the_same_transaction(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        deal = self._as(self.salesperson, self.company_b)
        self.env.invalidate_all()
        self.assertTrue(deal.tech_check_required)
        self.company_b.currency_id = eur
        self.assertEqual(deal.company_currency, eur)
        self.assertTrue(deal.tech_check_required)
        refused = "needs a passed tech check before Close"
        with self.assertRefused(UserError, refused) as caught:
            deal.stage_id = self.stages["close"]
        # the threshold shown in the company's new currency
        self.assertIn(eur.symbol, str(caught.exception))
        self.assertStage(self.deal_b, "quote")

    # -- deals without company, companies one cannot read, archived ---------------

    def test_deal_without_company_for_a_user_who_cannot_read_the_strictest(self):
        orphan = self._deal("T orphan 25000", 25000, "quote")
        orphan.write({"company_id": False, "user_id": self.bea.id})
        for warm in (False, True):
            self._fresh(warm)
            as_bea = self._as(self.bea, self.company_b, orphan)
            # A's 20,000 is the strictest, though Bea cannot read company A
            self.assertTrue(as_bea.tech_check_required)
            self.assertEqual(as_bea.tech_check_badge, "needed")
            with self.assertRefused(UserError, "needs a passed tech check"):
                as_bea.stage_id = self.stages["close"]
            self.assertStage(orphan, "quote")

    def test_deal_of_an_archived_company(self):
        archived = self.env["res.company"].create(
            {"name": "T Contoso Closed", "contoso_tech_check_threshold": 30000}
        )
        deal = self._deal("T closed company alarm", 40000, "quote")
        deal.write({"company_id": archived.id, "user_id": False})
        archived.action_archive()
        self.manager.company_ids = [Command.link(archived.id)]
        for warm in (False, True):
            self._fresh(warm)
            with self.assertRefused(UserError, "needs a passed tech check"):
                deal.sudo().stage_id = self.stages["close"]
            self.assertStage(deal, "quote")
            with self.assertRaises(AccessError):
                self._as(self.manager, archived, deal).stage_id = self.stages["close"]
            self.assertStage(deal, "quote")

    # -- deals being edited (the form's onchange) ------------------------------

    def test_new_deals_judge_their_company_threshold(self):
        Lead = self.Lead.with_user(self.salesperson).with_context(
            allowed_company_ids=(self.company_b | self.company).ids
        )
        self.env.invalidate_all()
        draft = Lead.new(
            {
                "name": "T draft",
                "type": "opportunity",
                "team_id": self.team.id,
                "company_id": self.company_b.id,
                "expected_revenue": 40000,
            }
        )
        self.assertTrue(draft.tech_check_required)
        self.assertEqual(draft.tech_check_badge, "needed")
        self.assertEqual(draft._tech_check_threshold(), 30000)
        # edits of saved deals (new records of one origin share their cache:
        # each edit here of another deal): the amount, the company
        below = Lead.new({"expected_revenue": 25000}, origin=self.deal_b)
        self.assertFalse(below.tech_check_required)
        to_b = Lead.new({"company_id": self.company_b.id}, origin=self.deal)
        self.assertTrue(to_b.tech_check_required)
        self.assertEqual(to_b._tech_check_threshold(), 30000)
        # a page mixing saved deals and edited ones, in one call
        mixed = (
            Lead.browse(self.deal_b.id)
            | below
            | to_b
            | Lead.browse(self.small.id)
            | Lead.browse(self.deal.id)
        )
        self.assertEqual(
            list(mixed._tech_check_thresholds().values()),
            [30000, 30000, 30000, 20000, 20000],
        )
        self.assertEqual(
            mixed.mapped("tech_check_required"), [True, False, True, False, True]
        )

    # -- cost: a stage move, a kanban page, a deal form --------------------------

    def _count(self, func):
        self._fresh(False)
        before = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def _costs(self):
        """Queries of a stage move, a kanban page and a deal form as Sally
        (company A and B deals), with the current thresholds' read."""
        Lead = self.Lead.with_user(self.salesperson).with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        )
        views = Lead.get_views([(False, "kanban"), (False, "form")])
        fields = views["models"]["crm.lead"]["fields"]
        card = _spec(views["views"]["kanban"]["arch"], fields)
        form = _spec(views["views"]["form"]["arch"], fields) | {"display_name": {}}
        self.assertIn("tech_check_required", form)
        movers = [
            self._deal(f"T mover {i}", 30000 + i, "qualify") for i in range(4)
        ] + [self.deal_b]

        def move(deal):
            def run():
                deal.with_user(self.salesperson).with_context(
                    allowed_company_ids=(self.company | self.company_b).ids
                ).stage_id = self.stages["develop"]

            return run

        def kanban():
            Lead.web_read_group(
                [("type", "=", "opportunity"), ("user_id", "=", self.salesperson.id)],
                ["stage_id"],
                aggregates=["expected_revenue:sum", "__count"],
                auto_unfold=True,
                unfold_read_specification=card,
                unfold_read_default_limit=40,
            )

        def deal_form(deal):
            return lambda: Lead.browse(deal.id).web_read(form)

        # warm the rules and views caches, as a session does: each screen once
        # from an empty record cache (else the first one measured pays the
        # user's rules on res.company, whichever read comes first)
        for warm_up in (
            kanban,
            deal_form(self.deal),
            deal_form(self.deal_b),
            move(movers[2]),
            move(movers[3]),
        ):
            self._fresh(False)
            warm_up()
        return {
            "move A": move(movers[0]),
            "move A again": move(movers[1]),
            "move B": move(movers[4]),
            "kanban": kanban,
            "form A": deal_form(self.deal),
            "form B": deal_form(self.deal_b),
        }

    def test_queries_of_a_stage_move_kanban_and_form_did_not_grow(self):
        Lead = type(self.env["crm.lead"])
        runs = self._costs()
        new = {}
        for name in ("kanban", "form A", "form B", "move A"):
            new[name] = self._count(runs[name])
        with patch.object(Lead, "_tech_check_thresholds", _old_thresholds):
            old = {}
            for name in ("kanban", "form A", "form B"):
                old[name] = self._count(runs[name])
            old["move A"] = self._count(runs["move A again"])
        # a move of a deal of B, from the same state, with each implementation
        new["move B"] = self._count(runs["move B"])
        self.deal_b.stage_id = self.stages["quote"]
        with patch.object(Lead, "_tech_check_thresholds", _old_thresholds):
            old["move B"] = self._count(runs["move B"])
        _logger.info("queries, narrow fetch %s, whole row %s", new, old)
        for name in new:
            self.assertLessEqual(new[name], old[name], (name, new, old))
