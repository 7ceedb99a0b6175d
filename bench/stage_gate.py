"""Cost of the tech check gate on a stage change, against Odoo's own path.

Run it with `./contoso bench stage_gate`. In one run, on two copies of the same
database, it moves deals to a won stage one by one and in a batch:
- vanilla: Odoo 19 without contoso_sales, deals of a plain team to Odoo's Won;
- addon:   contoso_sales installed, deals of the Contoso team (tech checks on)
           above the threshold, each with a passed tech check, into Close,
           so the gate does all its work and lets them through.
It prints queries and time per deal for both and their ratio (target: queries
within 20% of vanilla). Everything runs in a transaction that is rolled back.
"""

import time

from _harness import run, setup
from odoo.exceptions import ValidationError

DEALS = 200


def measure(env, leads, stage):
    cr = env.cr
    env.flush_all()
    env.invalidate_all()
    queries, start = cr.sql_log_count, time.perf_counter()
    for lead in leads[: DEALS // 2]:
        lead.write({"stage_id": stage.id})
        env.flush_all()
    single = cr.sql_log_count - queries, time.perf_counter() - start
    env.invalidate_all()
    queries, start = cr.sql_log_count, time.perf_counter()
    leads[DEALS // 2 :].write({"stage_id": stage.id})
    env.flush_all()
    batch = cr.sql_log_count - queries, time.perf_counter() - start
    half = DEALS // 2
    return {
        "one by one: queries/deal": single[0] / half,
        "one by one: ms/deal": single[1] * 1000 / half,
        "batch: queries/deal": batch[0] / half,
        "batch: ms/deal": batch[1] * 1000 / half,
    }


def vanilla(env):
    team = env["crm.team"].create({"name": "Bench team"})
    won = env["crm.stage"].search([("is_won", "=", True)], limit=1)
    leads = env["crm.lead"].create(
        [
            {
                "name": f"Bench deal {i}",
                "type": "opportunity",
                "team_id": team.id,
                "expected_revenue": 48000,
            }
            for i in range(DEALS)
        ]
    )
    return measure(env, leads, won)


def addon(env):
    team = env.ref("contoso_sales.team_contoso")
    consultant = env["res.users"].create(
        {
            "name": "Bench consultant",
            "login": "bench_consultant",
            "group_ids": [(4, env.ref("contoso_sales.group_technical_consultant").id)],
        }
    )
    leads = env["crm.lead"].create(
        [
            {
                "name": f"Bench deal {i}",
                "type": "opportunity",
                "team_id": team.id,
                "stage_id": env.ref("contoso_sales.stage_tech_check").id,
                "expected_revenue": 48000,
            }
            for i in range(DEALS)
        ]
    )
    env["contoso.tech.check"].create(
        [
            {
                "lead_id": lead.id,
                "consultant_id": consultant.id,
                "details": "<p>bench</p>",
                "result": "pass",
            }
            for lead in leads
        ]
    )
    close = env.ref("contoso_sales.stage_close")
    result = measure(env, leads, close)
    # The gate was live: every checked deal got through, an unchecked one does not.
    assert set(leads.mapped("stage_id")) == {close}
    unchecked = leads[0].copy(
        {"stage_id": env.ref("contoso_sales.stage_tech_check").id}
    )
    try:
        unchecked.stage_id = close
        env.flush_all()
    except ValidationError:
        return result
    raise AssertionError("the gate let an unchecked deal through")


def main():
    args = setup()
    results = {
        "vanilla": run(args.vanilla_db, vanilla),
        "addon": run(args.addon_db, addon),
    }
    print(f"\nStage change to a won stage, {DEALS} deals, same run:")
    print(f"{'metric':<28}{'vanilla':>10}{'addon':>10}{'ratio':>8}")
    for metric, base in results["vanilla"].items():
        mine = results["addon"][metric]
        print(f"{metric:<28}{base:>10.2f}{mine:>10.2f}{mine / base:>8.2f}")
    ratio = (
        results["addon"]["one by one: queries/deal"]
        / results["vanilla"]["one by one: queries/deal"]
    )
    print(f"\nqueries per stage change: {ratio:.2f}x vanilla (target <= 1.20)")


if __name__ == "__main__":
    main()
