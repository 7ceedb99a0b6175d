"""The steps of `./contoso test`, each counted in one pytest-style summary.

1. Python tests: pytest-odoo on a fresh database where the addon is installed
   without demo data (browser tours excluded: pytest-odoo would skip them).
2. Browser tours: Odoo's own test runner, tag `contoso_tour`, headless Chromium.
   A skipped tour counts as a failure.
3. Lifecycle: install, upgrade twice, uninstall on another fresh database; any
   warning or error in the log, or anything of the addon left behind, fails.
4. Coexistence: the addon installed next to Odoo's other apps (Purchase, Point
   of Sale, eCommerce, Loyalty, website CRM, Employees), from a template of its
   own, and the tests of what those apps touch run there: imports, families,
   the tech-check gate, deal terms, order to cash.
5. With --odoo-suites: Odoo's own crm and sale_crm tests with the addon installed.
"""

import re
import subprocess
from pathlib import Path

TEST_DB = "contoso_test"
LIFECYCLE_DB = "contoso_lifecycle"
SUITES_DB = "contoso_suites"
COEXIST_DB = "contoso_coexist"
# The tests whose code meets what the other apps add to partners, deals and
# orders (columns, defaults, stored computes, views).
COEXIST_TESTS = (
    "test_datahub_*.py",
    "test_family_*.py",
    "test_tech_check.py",
    "test_deal_terms.py",
    "test_order_to_cash.py",
)
# Tests that need Odoo's HTTP server: tours in Chromium, RPC clients.
TOUR_TAG = "contoso_tour,contoso_http"
# Odoo's result line: "0 failed, 0 error(s) of 12 tests when loading database ..."
RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
FAILED = re.compile(r"FAIL: (\S+)\s*$", re.M)
FLAKY_SUITE_TOUR = "TestUi.test_03_crm_tour_forecast"
BAD_LOG = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ", re.M)


SEED_DEALS = """
env["crm.lead"].create([
    {"name": f"Lifecycle deal {i}", "type": "opportunity",
     "expected_revenue": 1000 * i + 0.5}
    for i in range(1, 4)
])
env.cr.commit()
"""
SEEDED = "1000.5,2000.5,3000.5"


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []

    def add(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(f"{name}: {detail}".strip(": "))


def run_pytest(odoo, repo, tally, say, keyword=None, db=TEST_DB, label="pytest"):
    say(f"Python tests (pytest-odoo) on {db}")
    tests = repo / "contoso_sales" / "tests"
    paths = [tests]
    if db == COEXIST_DB:
        paths = sorted({path for glob in COEXIST_TESTS for path in tests.glob(glob)})
    cmd = [
        odoo.venv / "bin" / "pytest",
        f"--odoo-database={db}",
        f"--odoo-config={odoo.conf}",
        "-p",
        "no:cacheprovider",
        "--ignore-glob=*test_tour*",
        "--ignore-glob=*test_http*",
        "-q",
        *paths,
    ]
    if keyword:
        cmd += ["-k", keyword]
    proc = subprocess.run(
        [str(c) for c in cmd],
        cwd=repo,
        env=odoo.env,
        capture_output=True,
        text=True,
        check=False,
    )
    print(proc.stdout[-20000:], proc.stderr[-5000:], sep="\n", flush=True)
    counts = dict.fromkeys(("passed", "failed", "error", "errors", "skipped"), 0)
    for number, word in re.findall(
        r"(\d+) (passed|failed|errors?|skipped)", proc.stdout
    ):
        counts[word] = int(number)
    tally.passed += counts["passed"]
    tally.failed += counts["failed"] + counts["error"] + counts["errors"]
    tally.skipped += counts["skipped"]
    if proc.returncode not in (0, 5) or (proc.returncode == 5 and not keyword):
        tally.add(label, False, f"exit code {proc.returncode}")
    elif counts["failed"]:
        tally.failures.append(f"{label}: {counts['failed']} failed")


def run_tours(odoo, state, tally, say):
    say("Browser tours and RPC tests (Odoo's runner, headless Chromium)")
    log = state / "tours.log"
    odoo.run(
        "-d",
        TEST_DB,
        "--test-enable",
        "--test-tags",
        TOUR_TAG,
        "--http-port",
        str(odoo.pg_port + 1),
        log=log,
        check=False,
    )
    text = log.read_text(errors="replace")
    results = RESULT.findall(text)
    if not results:
        tally.add("tours", False, f"no test result in {log}")
        return
    failed, errors, ran = (int(x) for x in results[-1])
    skipped = len(re.findall(r" skipped \S+ : ", text))
    if ran == 0:
        tally.add("tours", False, "no tour ran")
        return
    tally.passed += ran - failed - errors - skipped
    tally.failed += failed + errors + skipped
    if failed or errors or skipped:
        tally.failures.append(
            f"tours: {failed} failed, {errors} errors, "
            f"{skipped} skipped (a skipped tour fails); see {log}"
        )


def run_lifecycle(odoo, template, state, tally, say):
    say("Lifecycle: install, upgrade twice, uninstall")
    odoo.copy_db(template, LIFECYCLE_DB)
    # Deals that exist before the install must keep their revenue: the addon
    # makes expected_revenue follow product lines.
    odoo.shell(LIFECYCLE_DB, SEED_DEALS)
    steps = [("install", "-i"), ("upgrade 1", "-u"), ("upgrade 2", "-u")]
    for name, flag in steps:
        log = state / f"lifecycle-{name.replace(' ', '')}.log"
        proc = odoo.run("-d", LIFECYCLE_DB, flag, "contoso_sales", log=log, check=False)
        _judge_log(tally, f"lifecycle {name}", proc.returncode, log)
    revenues = odoo.sql(
        "SELECT string_agg(expected_revenue::text, ',' ORDER BY id) FROM crm_lead"
        " WHERE name LIKE 'Lifecycle deal %'",
        LIFECYCLE_DB,
    )
    tally.add(
        "lifecycle keeps revenues of existing deals",
        revenues == SEEDED,
        f"expected {SEEDED}, found {revenues}",
    )
    log = state / "lifecycle-uninstall.log"
    with open(log, "w") as out:
        proc = subprocess.run(
            [
                str(c)
                for c in odoo.cmd_module("uninstall", LIFECYCLE_DB, "contoso_sales")
            ],
            env=odoo.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    _judge_log(tally, "lifecycle uninstall", proc.returncode, log)
    leftovers = odoo.sql(
        "SELECT (SELECT count(*) FROM ir_model_data WHERE module = 'contoso_sales')"
        " + (SELECT count(*) FROM ir_ui_view WHERE arch_db::text LIKE '%contoso%')"
        " + (SELECT count(*) FROM ir_ui_menu WHERE name::text ILIKE '%contoso%')"
        " + (SELECT count(*) FROM ir_model WHERE model LIKE 'contoso.%')"
        # the purchases' totals and triggers are the database's (uninstall_hook)
        " + (SELECT count(*) FROM pg_class WHERE relname LIKE 'contoso%')"
        " + (SELECT count(*) FROM pg_proc WHERE proname LIKE 'contoso%')",
        LIFECYCLE_DB,
    )
    tally.add(
        "lifecycle leftovers",
        leftovers == "0",
        f"{leftovers} records of contoso_sales left after uninstall",
    )


def _judge_log(tally, name, returncode, log):
    bad = [m.group(0) for m in BAD_LOG.finditer(Path(log).read_text(errors="replace"))]
    detail = f"exit {returncode}" if returncode else ""
    if bad:
        detail += f" {len(bad)} warnings/errors in {log}"
    tally.add(name, not returncode and not bad, detail)


def run_coexistence(odoo, repo, state, tally, say, keyword=None):
    """The addon on a copy of a database where Odoo's other apps are
    installed: the install must be clean and the selected tests pass."""
    template = odoo.template(
        f"{odoo.depends},{odoo.other_apps}", label="template-coexist"
    )
    say(f"coexistence: installing contoso_sales next to {odoo.other_apps}")
    odoo.copy_db(template, COEXIST_DB)
    log = state / "coexist-install.log"
    proc = odoo.run("-d", COEXIST_DB, "-i", "contoso_sales", log=log, check=False)
    _judge_log(tally, "coexistence install", proc.returncode, log)
    if proc.returncode == 0:
        run_pytest(
            odoo, repo, tally, say, keyword, db=COEXIST_DB, label="coexistence pytest"
        )


def run_odoo_suites(odoo, state, tally, say):
    say("Odoo's own crm and sale_crm tests with contoso_sales installed (slow)")
    odoo.drop(SUITES_DB)
    log = state / "odoo-suites.log"
    odoo.run(
        "-d",
        SUITES_DB,
        "-i",
        "contoso_sales",
        "--test-enable",
        "--test-tags",
        "/crm,/sale_crm",
        "--http-port",
        str(odoo.pg_port + 2),
        log=log,
        check=False,
    )
    text = log.read_text(errors="replace")
    results = RESULT.findall(text)
    if not results:
        tally.add("odoo suites", False, f"no test result in {log}")
        return
    failed, errors, ran = (int(x) for x in results[-1])
    if (failed, errors) == (1, 0) and FLAKY_SUITE_TOUR in FAILED.findall(text):
        # crm's forecast tour fails now and then with the addon (a quick-create
        # field not found within 10 s; 2 of 5 runs on 30 Nov 2026), and passes
        # alone: run it once more on the same database. A real failure fails
        # twice and still counts; README › Known limits says so.
        say(f"crm's {FLAKY_SUITE_TOUR} failed once: running it again")
        retry_log = state / "odoo-suites-retry.log"
        odoo.run(
            "-d",
            SUITES_DB,
            "--test-enable",
            "--test-tags",
            f"/crm:{FLAKY_SUITE_TOUR}",
            "--http-port",
            str(odoo.pg_port + 2),
            log=retry_log,
            check=False,
        )
        retry = RESULT.findall(retry_log.read_text(errors="replace"))
        if retry and retry[-1][:2] == ("0", "0") and retry[-1][2] != "0":
            failed = 0
    tally.passed += ran - failed - errors
    tally.failed += failed + errors
    if failed or errors:
        tally.failures.append(
            f"odoo suites: {failed} failed, {errors} errors; see {log}"
        )


def main(odoo, args, say):
    repo, state = odoo.repo, odoo.state
    tally = Tally()
    template = odoo.template()
    say(f"fresh database {TEST_DB}: installing contoso_sales without demo data")
    odoo.copy_db(template, TEST_DB)
    log = state / "test-install.log"
    proc = odoo.run("-d", TEST_DB, "-i", "contoso_sales", log=log, check=False)
    _judge_log(tally, "install without demo", proc.returncode, log)
    if proc.returncode == 0:
        run_pytest(odoo, repo, tally, say, args.k)
        if not args.k:
            run_tours(odoo, state, tally, say)
    if not args.k:
        run_lifecycle(odoo, template, state, tally, say)
    if not args.k or args.coexistence:
        run_coexistence(odoo, repo, state, tally, say, args.k)
    if args.odoo_suites:
        run_odoo_suites(odoo, state, tally, say)
    for failure in tally.failures:
        print(f"FAILED {failure}")
    summary = f"{tally.passed} passed, {tally.failed} failed"
    if tally.skipped:
        summary += f", {tally.skipped} skipped"
    print(f"\n{summary}", flush=True)
    return 1 if tally.failed or tally.skipped or not tally.passed else 0
