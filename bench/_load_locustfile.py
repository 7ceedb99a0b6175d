"""Locust users of the load benchmark: a sales floor on Odoo's JSON-RPC, the
requests the web client sends for each screen.

Runs in its own virtualenv (Locust's gevent is not Odoo's), started by
bench_load.py with LOAD_DB, LOAD_ADDON and LOAD_PASSWORD_SUFFIX set. Every
request name is an action; the ones that exist on both databases are compared.
Where the addon has a screen of its own (the deals to check, Top Customers,
Customer 360), vanilla's user opens its nearest screen instead, named
"(vanilla)" and not compared: both sides serve the same users, making the same
number of requests.
"""

import itertools
import json
import os
import random
from datetime import date, timedelta

from locust import HttpUser, between, events, task

DB = os.environ["LOAD_DB"]
ADDON = os.environ.get("LOAD_ADDON") == "1"
SUFFIX = os.environ.get("LOAD_PASSWORD_SUFFIX", "-load")
IDS = json.loads(os.environ["LOAD_IDS"])

# Every request's time once all users are logged in (as --reset-stats counts),
# one line each: bench_load.py pools the rounds of a side before its
# percentiles (Locust's CSV holds a run's percentiles only).
SAMPLES = os.environ.get("LOAD_SAMPLES")
_recording = []


@events.spawning_complete.add_listener
def _start_recording(user_count, **_kwargs):
    if SAMPLES:
        _recording.append(open(SAMPLES, "w", buffering=1))  # noqa: SIM115


@events.request.add_listener
def _record(name, response_time, exception, **_kwargs):
    if _recording and name not in ("login", "setup"):
        _recording[0].write(
            f"{int(exception is not None)},{response_time:.3f},{name}\n"
        )


@events.quitting.add_listener
def _stop_recording(**_kwargs):
    for handle in _recording:
        handle.close()


THINK = (
    float(os.environ.get("LOAD_THINK_MIN", 3)),
    float(os.environ.get("LOAD_THINK_MAX", 8)),
)

# The kanban card and the form as the web client asks for them: every field of
# the database's own views as a salesperson sees them (bench_load's
# view_specification), crm's alone on vanilla, with the addon's on the addon.
CARD = IDS["card"]
FORM = IDS["form"]
# Vanilla's deals to check (bench_load's vanilla_screens): above $20,000 in
# the Tech Check stage.
VANILLA_CHECKS = [
    ("type", "=", "opportunity"),
    ("stage_id", "=", IDS.get("check_stage")),
    ("expected_revenue", ">", 20000),
]
PARTNER_LIST = {
    "display_name": {},
    "email": {},
    "phone": {},
    "city": {},
    "country_id": {"fields": {}},
}


class OdooUser(HttpUser):
    abstract = True
    wait_time = between(*THINK)
    role = None

    def on_start(self):
        self.login = f"load_{self.role}_{next(self.numbers):02d}"
        result = self.rpc(
            "/web/session/authenticate",
            {"db": DB, "login": self.login, "password": self.login + SUFFIX},
            name="login",
        )
        self.uid = result["uid"]
        # The web client sends the companies its user works in with every
        # call_kw (web/static/src/core/user.js: allowed_company_ids, from the
        # cids cookie, the user's current company by default, as in a new
        # browser) and with /mail/data (mail's store_service.js), not with
        # /mail/thread/messages; without them Odoo takes all the user's
        # companies (odoo/orm/environments.py, companies), one here.
        companies = result.get("user_companies") or {}
        self.user_context = dict(result["user_context"])
        if companies.get("current_company"):
            self.user_context["allowed_company_ids"] = [companies["current_company"]]
        self.rng = random.Random(self.uid)  # noqa: S311 - a load pattern
        self.setup()

    def setup(self):
        pass

    def rpc(self, url, params, name):
        payload = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
        with self.client.post(
            url, json=payload, name=name, catch_response=True
        ) as resp:
            if resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}")
                return None
            data = resp.json()
            if "error" in data:
                error = data["error"].get("data", {})
                resp.failure(
                    f"{error.get('name')}: {error.get('message', data['error'])}"[:300]
                )
                return None
            resp.success()
            return data["result"]

    def call(self, model, method, args, name, **kwargs):
        kwargs["context"] = {**self.user_context, **kwargs.get("context", {})}
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
            name=name,
        )


class Salesperson(OdooUser):
    """Works her pipeline: kanban, deal forms, stage moves, calls, quotations."""

    fixed_count = 30
    role = "sales"
    numbers = itertools.count(1)

    def setup(self):
        self.stage_ids = IDS["stages"]
        self.products = IDS["products"]
        self.activity_type = IDS["activity_type"]
        self.model_id = IDS["lead_model"]

    def my_open_deals(self, limit=80):
        return self.call(
            "crm.lead",
            "search",
            [
                [
                    ("user_id", "=", self.uid),
                    ("type", "=", "opportunity"),
                    ("stage_id", "in", self.stage_ids[:3]),
                ]
            ],
            "sales: find deal",
            limit=limit,
            order="date_last_stage_update desc",
        )

    @task(5)
    def pipeline(self):
        self.call(
            "crm.lead",
            "web_read_group",
            [[("type", "=", "opportunity"), ("user_id", "=", self.uid)], ["stage_id"]],
            "sales: pipeline kanban",
            aggregates=["expected_revenue:sum", "__count"],
            # a kanban opens its groups (the web client's openGroupsByDefault)
            auto_unfold=True,
            unfold_read_specification=CARD,
            # cards a column: the kanban view's limit, else 40 (kanban_controller)
            unfold_read_default_limit=IDS["card_limit"],
        )

    @task(4)
    def deal_form(self):
        deals = self.my_open_deals(limit=40)
        if not deals:
            return
        deal = self.rng.choice(deals)
        self.call(
            "crm.lead", "web_read", [[deal]], "sales: deal form", specification=FORM
        )
        self.rpc(
            "/mail/thread/messages",
            {
                "thread_model": "crm.lead",
                "thread_id": deal,
                "fetch_params": {"limit": 30},
            },
            name="sales: deal chatter",
        )

    @task(2)
    def move_stage(self):
        deals = self.my_open_deals(limit=40)
        if not deals:
            return
        deal = self.rng.choice(deals)
        current = self.call(
            "crm.lead", "read", [[deal], ["stage_id"]], "sales: find deal"
        )[0]["stage_id"][0]
        position = self.stage_ids.index(current) if current in self.stage_ids else 0
        target = self.stage_ids[(position + 1) % 3]
        self.call(
            "crm.lead", "write", [[deal], {"stage_id": target}], "sales: move stage"
        )

    @task(2)
    def log_activity(self):
        deals = self.my_open_deals(limit=40)
        if not deals:
            return
        activity = self.call(
            "mail.activity",
            "create",
            [
                {
                    "res_model_id": self.model_id,
                    "res_id": self.rng.choice(deals),
                    "activity_type_id": self.activity_type,
                    "summary": "Call back",
                    "user_id": self.uid,
                    "date_deadline": (date.today() + timedelta(days=1)).isoformat(),
                }
            ],
            "sales: log activity",
        )
        if activity:
            self.call(
                "mail.activity",
                "action_feedback",
                [[activity]],
                "sales: mark activity done",
                feedback="Called.",
            )

    @task(1)
    def quotation(self):
        deals = self.my_open_deals(limit=40)
        if not deals or not self.products:
            return
        deal = self.call(
            "crm.lead",
            "read",
            [[self.rng.choice(deals)], ["partner_id"]],
            "sales: find deal",
        )[0]
        if not deal["partner_id"]:
            return
        order = self.call(
            "sale.order",
            "create",
            [
                {
                    "partner_id": deal["partner_id"][0],
                    "opportunity_id": deal["id"],
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": product,
                                "product_uom_qty": self.rng.randint(1, 5),
                            },
                        )
                        for product in self.rng.sample(self.products, 2)
                    ],
                }
            ],
            "sales: create quotation",
        )
        if order:
            self.call(
                "sale.order",
                "web_read",
                [[order]],
                "sales: quotation form",
                specification={
                    "name": {},
                    "amount_total": {},
                    "state": {},
                    "order_line": {"fields": {"name": {}}},
                },
            )


class Consultant(OdooUser):
    """Opens his activities and the deals to check, logs a check (on vanilla: a
    note on a deal)."""

    fixed_count = 6
    role = "consultant"
    numbers = itertools.count(1)

    @task(3)
    def todo(self):
        # the web client's store sends its user's context too (mail's
        # store_service.js, _fetchStoreDataRpc), companies included
        self.rpc(
            "/mail/data",
            {"fetch_params": ["systray_get_activities"], "context": self.user_context},
            name="consultant: to-do list",
        )

    @task(3)
    def deals_to_check(self):
        # My Tech Checks to Do as the web client opens it: the action's list
        # with its domain and default filter (bench_load's checks_screen)
        if not ADDON:
            self.vanilla_deals_to_check(limit=80)
            return
        self.call(
            "crm.lead",
            "web_search_read",
            [IDS["checks_domain"]],
            "consultant: deals to check",
            specification=IDS["checks_spec"],
            limit=IDS["checks_limit"],
            order=IDS["checks_order"],
            count_limit=10001,
        )

    def vanilla_deals_to_check(self, limit):
        # Vanilla's nearest screen (bench_load's vanilla_screens): crm's list
        # of the deals above $20,000 in the Tech Check stage, all salespeople's
        # (_load_seed's ROLES).
        return self.call(
            "crm.lead",
            "web_search_read",
            [VANILLA_CHECKS],
            "consultant: Tech Check stage list (vanilla)",
            specification=IDS["deal_list_spec"],
            limit=limit,
            count_limit=10001,
        )

    @task(1)
    def log_check(self):
        if not ADDON:
            # a note on a deal he found (its ids only, as the addon's side
            # finds its deal), Odoo's way of recording a check
            found = self.call(
                "crm.lead",
                "search",
                [[*VANILLA_CHECKS, ("user_id", "!=", self.uid)]],
                "consultant: Tech Check stage list (vanilla)",
                limit=40,
            )
            if found:
                self.call(
                    "crm.lead",
                    "message_post",
                    [[self.rng.choice(found)]],
                    "consultant: log check note (vanilla)",
                    body="Site survey OK.",
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                )
            return
        deals = self.call(
            "crm.lead",
            "search",
            [
                [
                    ("tech_check_required", "=", True),
                    ("tech_check_passed", "=", False),
                    ("user_id", "!=", self.uid),
                ]
            ],
            "consultant: deals to check",
            limit=40,
        )
        if deals:
            self.call(
                "contoso.tech.check",
                "create",
                [
                    {
                        "lead_id": self.rng.choice(deals),
                        "details": "<p>Site survey OK.</p>",
                        "result": "pass",
                    }
                ],
                "consultant: log tech check",
            )


class Manager(OdooUser):
    """The team's pipeline and contacts, the reports (on vanilla: the pipeline
    by customer and the people list)."""

    fixed_count = 4
    role = "manager"
    numbers = itertools.count(1)

    @task(3)
    def team_pipeline(self):
        self.call(
            "crm.lead",
            "web_read_group",
            [[("type", "=", "opportunity")], ["stage_id", "user_id"]],
            "manager: team pipeline",
            aggregates=["expected_revenue:sum", "__count"],
        )

    @task(2)
    def contacts(self):
        self.call(
            "res.partner",
            "web_search_read",
            [[("is_company", "=", True)]],
            "manager: contacts list",
            specification=PARTNER_LIST,
            limit=80,
        )

    @task(2)
    def top_customers(self):
        if not ADDON:
            # vanilla's nearest report: the pipeline grouped by customer
            self.call(
                "crm.lead",
                "web_read_group",
                [[("type", "=", "opportunity")], ["partner_id"]],
                "manager: pipeline by customer (vanilla)",
                aggregates=["expected_revenue:sum", "__count"],
                order="expected_revenue desc",
                limit=80,
            )
            return
        self.call(
            "contoso.family.report",
            "web_read_group",
            [
                [
                    ("family_id.is_company", "=", True),
                    ("partner_id.is_company", "=", True),
                ],
                ["family_id"],
            ],
            "manager: Top Customers",
            aggregates=["__count"],
            limit=80,
        )

    @task(2)
    def customer_360(self):
        if not ADDON:
            # vanilla's nearest list: the contacts that are people
            self.call(
                "res.partner",
                "web_search_read",
                [[("is_company", "=", False)]],
                "manager: people list (vanilla)",
                specification=PARTNER_LIST,
                limit=80,
            )
            return
        self.call(
            "contoso.customer",
            "web_search_read",
            [[]],
            "manager: Customer 360 list",
            specification={
                "name": {},
                "spend_crm": {},
                "spend_shop": {},
                "spend_web": {},
                "spend_total": {},
            },
            limit=80,
        )
