"""The load benchmark's data: the same people, contacts and deals on the
vanilla and on the addon database, each in its own pipeline.

Everything is created through the ORM as superuser, as an admin's data
migration would, with chatter logging off (`tracking_disable`,
`mail_create_nolog`): that only skips the "created" notes, never a field.
Each deal then gets the "created" message Odoo logs on a new deal, the same
on both databases, written in one batch (`_log_created`), so that a deal's
chatter holds what it would in production on either side. On the addon's
side every open deal (all customers are companies) is enrolled in the
corporate nurturing cadence, whose first step schedules an "Introduction
call" activity due today; on the vanilla side the same call is scheduled by
hand on the same deals (`_cadence_calls`), as a team following Contoso's
cadence without the addon would: both sides' deals then carry the same
activities, and the deal screens compare code, not three times the
activities. For the same reason the vanilla team's pipeline has Contoso's five
stages (`_pipeline`), as plain stages: its kanban shows as many columns and
cards as the addon's, not four columns against five.
"""

import random
import time
from pathlib import Path

from lxml import etree
from markupsafe import Markup
from odoo import fields

# Part of the seeded template databases' names, per side: change it with what
# the seed makes on that side, so that the next run seeds it again (3: the
# vanilla deals' cadence calls; 5: vanilla's consultants read all the deals).
SEED_VERSION = {False: 5, True: 2}
# The addon's pipeline, which the vanilla team gets as plain stages.
STAGE_DATA = Path(__file__).parent.parent / "contoso_sales/data/crm_stage_data.xml"
PASSWORD_SUFFIX = "-load"
ROLES = {
    # role: (count, vanilla groups, addon groups)
    "sales": (
        30,
        ["sales_team.group_sale_salesman"],
        ["contoso_sales.group_salesperson"],
    ),
    "consultant": (
        6,
        # on vanilla, all the deals: he checks other salespeople's deals (the
        # addon's consultants read those above the threshold by their rule)
        ["sales_team.group_sale_salesman_all_leads"],
        ["contoso_sales.group_technical_consultant"],
    ),
    "manager": (
        4,
        ["sales_team.group_sale_manager", "base.group_partner_manager"],
        ["contoso_sales.group_sales_manager"],
    ),
    "dataadmin": (
        1,
        ["base.group_user"],
        ["contoso_sales.group_data_admin"],
    ),
}
FIRST = [
    "Ana",
    "Ben",
    "Carla",
    "Dev",
    "Emma",
    "Femi",
    "Gus",
    "Hana",
    "Ivo",
    "Jade",
    "Ken",
    "Lea",
    "Max",
    "Nia",
    "Omar",
    "Pia",
    "Raj",
    "Sue",
    "Tom",
    "Uma",
]
LAST = [
    "Adams",
    "Brown",
    "Chen",
    "Diaz",
    "Evans",
    "Fox",
    "Garcia",
    "Hill",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Moore",
    "Ng",
    "Ortiz",
    "Park",
]
CITIES = [
    "Seattle",
    "Portland",
    "Denver",
    "Austin",
    "Chicago",
    "Boston",
    "Atlanta",
    "Miami",
    "Phoenix",
    "Dallas",
    "New York",
]
PRODUCTS = [
    ("Smart Doorbell", 199.0),
    ("Smart Thermostat", 249.0),
    ("Alarm System Kit", 899.0),
    ("Moisture Sensor", 39.0),
    ("Indoor Camera", 129.0),
    ("Outdoor Camera", 219.0),
    ("Door/Window Sensor", 29.0),
    ("Keypad", 89.0),
    ("Monitoring (1 year)", 360.0),
    ("Installation", 150.0),
]
SCALES = {
    "full": {"contacts": 100_000, "companies": 10_000, "deals": 20_000, "orders": 600},
    "small": {"contacts": 6_000, "companies": 600, "deals": 1_500, "orders": 60},
}
BATCH = 2000


def login(role, index):
    return f"load_{role}_{index:02d}"


def password(user_login):
    return user_login + PASSWORD_SUFFIX


def seed(env, scale, addon):
    """Create the benchmark's users, contacts, products, deals, activities and
    orders. `addon`: put the deals in the Contoso pipeline (and log the tech
    checks its won deals above the threshold need)."""
    size = SCALES[scale]
    rng = random.Random(16)  # noqa: S311 - benchmark data, not security
    env = env(
        context={
            **env.context,
            "tracking_disable": True,
            "mail_create_nolog": True,
            "mail_create_nosubscribe": True,
            "mail_notrack": True,
            "no_reset_password": True,
        }
    )
    clock = _Clock(env)
    users = clock("users", _users, env, addon)
    companies, people = clock("contacts", _contacts, env, size, rng)
    products = _products(env)
    team, stages, won = _pipeline(env, addon)
    team.member_ids = [(6, 0, users["sales"].ids)]
    deals = clock(
        "deals", _deals, env, size, rng, users, companies, team, stages, won, addon
    )
    clock("activities", _activities, env, rng, deals)
    if not addon:
        clock("cadence calls", _cadence_calls, env, deals)
    clock("orders", _orders, env, size, rng, companies, products, users["sales"])
    env.flush_all()
    print(f"  seed steps (s): {clock.times}", flush=True)
    return {
        "users": {role: len(group) for role, group in users.items()},
        "companies": len(companies),
        "people": len(people),
        "deals": len(deals),
    }


class _Clock:
    """Times each step and commits it: in one long transaction every version
    of a row updated again and again stays, and each later update of the
    table walks them (the contacts went from 2 ms to over 10 ms a partner)."""

    def __init__(self, env):
        self.env = env
        self.times = {}

    def __call__(self, label, step, *args):
        started = time.monotonic()
        result = step(*args)
        _commit(self.env)
        self.times[label] = round(time.monotonic() - started)
        return result


def _commit(env):
    env.flush_all()
    env.cr.commit()


def _users(env, addon):
    users = {}
    for role, (count, vanilla_groups, addon_groups) in ROLES.items():
        groups = addon_groups if addon else vanilla_groups
        group_ids = [env.ref(xmlid).id for xmlid in groups]
        vals = []
        for index in range(1, count + 1):
            user_login = login(role, index)
            vals.append(
                {
                    "name": f"{role.title()} {index:02d}",
                    "login": user_login,
                    "password": password(user_login),
                    "email": f"{user_login}@contoso.example",
                    "group_ids": [(6, 0, [env.ref("base.group_user").id, *group_ids])],
                }
            )
        users[role] = env["res.users"].create(vals)
    return users


def _contacts(env, size, rng):
    partners = env["res.partner"]
    companies = partners.browse()
    for start in range(0, size["companies"], BATCH):
        stop = min(start + BATCH, size["companies"])
        _commit(env)
        companies |= partners.create(
            [
                {
                    "name": f"{rng.choice(LAST)} {rng.choice(CITIES)} Holdings {i}",
                    "is_company": True,
                    "city": rng.choice(CITIES),
                    "email": f"office{i}@company{i}.example",
                }
                for i in range(start, stop)
            ]
        )
    people = partners.browse()
    count = size["contacts"] - size["companies"]
    for start in range(0, count, BATCH):
        stop = min(start + BATCH, count)
        vals = []
        for i in range(start, stop):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            parent = companies[rng.randrange(len(companies))] if i % 3 == 0 else None
            vals.append(
                {
                    "name": f"{first} {last} {i}",
                    "email": f"{first}.{last}.{i}@mail.example".lower(),
                    "city": rng.choice(CITIES),
                    "parent_id": parent.id if parent else False,
                }
            )
        people |= partners.create(vals)
        _commit(env)
    return companies, people


def _products(env):
    return env["product.product"].create(
        [
            {"name": name, "list_price": price, "type": "consu", "sale_ok": True}
            for name, price in PRODUCTS
        ]
    )


def _pipeline(env, addon):
    """The team and its open stages in order, and its won stage: on both sides
    the stages of Contoso's pipeline (the addon's data; on the vanilla side
    created as plain stages of Odoo's sales team, as an admin would in
    *CRM > Configuration > Stages*). Odoo's shared stages stay on both sides,
    empty."""
    team = env.ref(
        "contoso_sales.team_contoso" if addon else "sales_team.team_sales_department"
    )
    if not addon:
        env["crm.stage"].create(
            [
                {
                    "name": record.findtext("field[@name='name']"),
                    "sequence": int(record.findtext("field[@name='sequence']")),
                    "is_won": record.find("field[@name='is_won']") is not None,
                    "team_ids": [(6, 0, team.ids)],
                }
                for record in etree.parse(str(STAGE_DATA)).iter("record")
            ]
        )
    stages = env["crm.stage"].search(
        [("team_ids", "in", team.ids)], order="sequence, id"
    )
    return team, stages.filtered(lambda s: not s.is_won), stages.filtered("is_won")[:1]


def _deals(env, size, rng, users, companies, team, stages, won, addon):
    """Open deals spread over the open stages, a tenth won, a tenth lost. The
    same draw on both databases: only the stage records differ."""
    leads = env["crm.lead"]
    deals = leads.browse()
    consultants = users["consultant"]
    salespeople = users["sales"]
    to_win = leads.browse()
    for start in range(0, size["deals"], BATCH):
        stop = min(start + BATCH, size["deals"])
        vals = []
        fate = []
        for i in range(start, stop):
            partner = companies[rng.randrange(len(companies))]
            amount = rng.choice([1, 2, 3, 5, 8, 12, 18, 25, 40, 60]) * 1000.0
            draw = rng.random()
            status = "won" if draw < 0.1 else "lost" if draw < 0.2 else "open"
            stage = stages[min(int(rng.random() * len(stages)), len(stages) - 1)]
            vals.append(
                {
                    "name": f"{partner.name}: security upgrade {i}",
                    "type": "opportunity",
                    "partner_id": partner.id,
                    "user_id": salespeople[i % len(salespeople)].id,
                    "team_id": team.id,
                    "stage_id": stage.id,
                    "expected_revenue": amount,
                    "active": status != "lost",
                }
            )
            fate.append(status)
        batch = leads.create(vals)
        _log_created(env, batch)
        _commit(env)
        deals |= batch
        to_win |= batch.browse(
            [
                deal
                for deal, status in zip(batch.ids, fate, strict=True)
                if status == "won"
            ]
        )
    if addon:
        need = to_win.filtered("tech_check_required")
        env["contoso.tech.check"].create(
            [
                {
                    "lead_id": deal.id,
                    "consultant_id": consultants[n % len(consultants)].id,
                    "details": "<p>Site survey done, equipment list agreed.</p>",
                    "result": "pass",
                }
                for n, deal in enumerate(need)
            ]
        )
    to_win.write({"stage_id": won.id})
    return deals


def _log_created(env, deals):
    """The message `mail.thread.create` posts on each new deal without
    `mail_create_nolog` (crm's creation subtype and text, by the creating
    user), created in one batch instead of one `message_post` a deal."""
    subtype = deals._creation_subtype()
    author = env.user.partner_id
    env["mail.message"].create(
        [
            {
                "model": deals._name,
                "res_id": deal.id,
                "message_type": "notification",
                "subtype_id": subtype.id,
                "author_id": author.id,
                "email_from": author.email_formatted,
                "body": Markup('<div summary="o_mail_notification"><p>%s</p></div>')
                % deal._creation_message(),
            }
            for deal in deals
        ]
    )


def _activities(env, rng, deals):
    """An open call or e-mail on a third of the open deals, due around today."""
    call = env.ref("mail.mail_activity_data_call")
    email = env.ref("mail.mail_activity_data_email")
    model_id = env["ir.model"]._get_id("crm.lead")
    open_deals = deals.filtered(lambda d: d.active and not d.stage_id.is_won)
    today = fields.Date.context_today(deals)
    vals = [
        {
            "res_model_id": model_id,
            "res_id": deal.id,
            "activity_type_id": (call if n % 2 else email).id,
            "summary": "Follow up",
            "user_id": deal.user_id.id,
            "date_deadline": fields.Date.add(today, days=rng.randint(-5, 10)),
        }
        for n, deal in enumerate(open_deals)
        if n % 3 == 0
    ]
    for start in range(0, len(vals), BATCH):
        env["mail.activity"].create(vals[start : start + BATCH])


def _cadence_calls(env, deals):
    """The call the addon's nurturing cadence schedules on each open deal when
    it is created (first step, due the same day), scheduled by hand."""
    call = env.ref("mail.mail_activity_data_call")
    model_id = env["ir.model"]._get_id("crm.lead")
    today = fields.Date.context_today(deals)
    vals = [
        {
            "res_model_id": model_id,
            "res_id": deal.id,
            "activity_type_id": call.id,
            "summary": "Introduction call",
            "user_id": deal.user_id.id,
            "date_deadline": today,
        }
        for deal in deals.filtered(lambda d: d.active and not d.stage_id.is_won)
    ]
    for start in range(0, len(vals), BATCH):
        env["mail.activity"].create(vals[start : start + BATCH])


def _orders(env, size, rng, companies, products, salespeople):
    """Confirmed orders, so that revenue reports have something to add up."""
    orders = env["sale.order"].create(
        [
            {
                "partner_id": companies[rng.randrange(len(companies))].id,
                "user_id": salespeople[n % len(salespeople)].id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "product_uom_qty": rng.randint(1, 20),
                        },
                    )
                    for product in rng.sample(list(products), 3)
                ],
            }
            for n in range(size["orders"])
        ]
    )
    orders.action_confirm()
