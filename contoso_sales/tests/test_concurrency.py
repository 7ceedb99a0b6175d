"""Two workers at once, each on a PostgreSQL connection of its own.

The import queue and the nurturing emails run as cron jobs, and Contoso runs
Odoo with several workers: two runs at once (two cron workers, a run by hand, a
user's button) must still do each job once. Each test runs two threads with a
cursor of their own (`registry.cursor()`, not a test cursor: TransactionCase
does not put the registry in test mode) and real commits; the first thread
stops in the middle of its job while the second one runs. What they commit is
deleted afterwards.
"""

import base64
import contextlib
import logging
import threading
from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.sql_db import Cursor
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from .datahub_common import CONTACTS, ONLINE

# How long a paused worker waits for the other one: the second worker of every
# test finishes in well under a second unless it waits for the first one's locks.
WAIT = 10
ROWS = 6  # rows per file: three chunks of two
SUBJECT = "Contoso Home Security for"  # the information email's subject


class Worker(threading.Thread):
    """Run ``job(env)`` on a connection of its own, as superuser, and commit."""

    def __init__(self, registry, job, name):
        super().__init__(name=name, daemon=True)
        self.registry, self.job = registry, job
        self.result = self.error = self.pid = self.cursor_class = None

    def run(self):
        try:
            with self.registry.cursor() as cr:
                self.cursor_class = type(cr)
                cr.execute("SELECT pg_backend_pid()")
                self.pid = cr.fetchone()[0]
                self.result = self.job(api.Environment(cr, SUPERUSER_ID, {}))
        except Exception as exc:  # noqa: BLE001 - re-raised by the test
            self.error = exc


class Pause:
    """Called by a worker's code: the first time in the given thread, stop
    until the test lets it go on."""

    def __init__(self):
        self.thread = None
        self.reached, self.go = threading.Event(), threading.Event()

    def __call__(self):
        if threading.current_thread() is self.thread and not self.reached.is_set():
            self.reached.set()
            self.go.wait(WAIT * 3)


@tagged("post_install", "-at_install")
def _user_saves_first_contact(env):
    """A user saves a contact the test's file updates."""
    contact = env["res.partner"].search([("contoso_contact_ref", "=", "ZCONC0-0")])
    contact.function = "Buyer"


class ConcurrencyCase(TransactionCase):
    def setUp(self):
        super().setUp()
        # Deals and imports ask cron jobs to run soon: none runs in tests.
        triggers = self._committed(self._last_id("ir_cron_trigger"))
        self.addCleanup(
            self._committed,
            lambda env: env["ir.cron.trigger"].search([("id", ">", triggers)]).unlink(),
        )

    @staticmethod
    def _last_id(table):
        def last_id(env):
            env.cr.execute(SQL("SELECT max(id) FROM %s", SQL.identifier(table)))
            return env.cr.fetchone()[0] or 0

        return last_id

    def _committed(self, job):
        """Run ``job(env)`` now in a transaction of its own, committed."""
        with self.registry.cursor() as cr:
            return job(api.Environment(cr, SUPERUSER_ID, {}))

    def _race(self, first, second, pause):
        """Run ``first`` until it pauses, then ``second`` to its end, then let
        ``first`` finish. Returns both workers and whether ``second`` finished
        while ``first`` was still in the middle of its job."""
        a = Worker(self.registry, first, "worker-a")
        b = Worker(self.registry, second, "worker-b")
        pause.thread = a
        a.start()
        self.assertTrue(pause.reached.wait(WAIT * 3), "worker a never got going")
        b.start()
        b.join(WAIT)
        second_done_first = not b.is_alive()
        pause.go.set()
        a.join(WAIT * 6)
        b.join(WAIT * 6)
        self.assertFalse(a.is_alive() or b.is_alive(), "a worker is stuck")
        for worker in (a, b):
            if worker.error:
                raise worker.error
        # Two real connections, not the test's cursor nor one another's.
        self.assertEqual({a.cursor_class, b.cursor_class}, {Cursor})
        self.cr.execute("SELECT pg_backend_pid()")
        self.assertEqual(len({a.pid, b.pid, self.cr.fetchone()[0]}), 3)
        return a, b, second_done_first

    def _cron_state(self, xmlid):
        """Restore the cron job as it was and remove its runs' progress."""

        def snapshot(env):
            cron = env.ref(xmlid)
            values = cron.read(
                ["nextcall", "lastcall", "failure_count", "first_failure_date"],
                load=None,
            )[0]
            return cron.id, self._last_id("ir_cron_progress")(env), values

        cron_id, progress, values = self._committed(snapshot)

        def restore(env):
            env["ir.cron.progress"].search(
                [("cron_id", "=", cron_id), ("id", ">", progress)]
            ).unlink()
            values.pop("id")
            env["ir.cron"].browse(cron_id).write(values)

        self.addCleanup(self._committed, restore)
        return cron_id


class TestConcurrentImports(ConcurrencyCase):
    def setUp(self):
        super().setUp()

        # Chunks of two rows, not fitted to their duration: each test knows
        # which rows each chunk holds.
        settings = {
            "contoso_sales.import_chunk_rows": "2",
            "contoso_sales.import_chunk_seconds": "0",
        }

        def setup(env):
            param = env["ir.config_parameter"]
            old = {key: param.get_param(key) for key in settings}
            for key, value in settings.items():
                param.set_param(key, value)
            return old

        def restore(env):
            for key, value in old.items():
                env["ir.config_parameter"].set_param(key, value)

        old = self._committed(setup)
        self.addCleanup(self._committed, restore)
        self.chunks = []  # (thread, batch id, rows) of every chunk imported
        Batch = type(self.env["contoso.import.batch"])
        import_chunk = Batch._import_chunk
        self.pause_in_chunk = Pause()

        def chunk(batch, rows, lookups):
            self.chunks.append((threading.current_thread().name, batch.id, len(rows)))
            result = import_chunk(batch, rows, lookups)
            self.pause_in_chunk()  # its rows written, its transaction still open
            return result

        self.startPatcher(patch.object(Batch, "_import_chunk", chunk))

    def _queue(self, count, last="Last", sources=None):
        """Queue ``count`` files of ROWS rows, imported by admin: contacts, or
        the ``sources`` given (contacts or web purchases of their contacts)."""
        sources = sources or ["contacts"] * count

        def content(n, source):
            if source == "online":
                return ONLINE + "".join(
                    f"ZCONP{n}-{i},ZCONC0-{i},2026-01-0{1 + i % 9},10.00,Purchase,"
                    f"Siren\r\n"
                    for i in range(ROWS)
                )
            return CONTACTS + "".join(
                f"ZCONC{n}-{i},First{i},{last}{i},,,,,,,,,\r\n" for i in range(ROWS)
            )

        def queue(env):
            admin = env.ref("base.user_admin")
            batches = env["contoso.import.batch"].create(
                [
                    {
                        "source": source,
                        "filename": f"{source}{n}.csv",
                        "file": base64.b64encode(content(n, source).encode()),
                        "rows_total": ROWS,
                        "user_id": admin.id,
                        "company_id": admin.company_id.id,
                    }
                    for n, source in enumerate(sources)
                ]
            )
            return batches.ids

        ids = self._committed(queue)

        def remove(env):
            env["contoso.purchase"].search([("source_ref", "=like", "ZCONP%")]).unlink()
            env["res.partner"].with_context(active_test=False).search(
                [("contoso_contact_ref", "=like", "ZCONC%")]
            ).unlink()
            env["contoso.import.batch"].browse(ids).unlink()

        self.addCleanup(self._committed, remove)
        return ids

    def _paused_before_writing(self, pause):
        """Imports stop at `pause` once their transaction has begun, before
        writing any row."""
        Batch = type(self.env["contoso.import.batch"])
        write_rows = Batch._write_rows

        def write(batch, good, counts, *args):
            pause()
            return write_rows(batch, good, counts, *args)

        return patch.object(Batch, "_write_rows", write)

    def _results(self, ids):
        def read(env):
            batches = env["contoso.import.batch"].browse(ids)
            partners = env["res.partner"].with_context(active_test=False)
            return (
                {
                    batch.id: (
                        batch.state,
                        batch.rows_done,
                        batch.rows_created,
                        batch.rows_updated,
                        batch.rows_unchanged,
                        batch.rows_failed,
                    )
                    for batch in batches
                },
                partners.search_count([("contoso_contact_ref", "=like", "ZCONC%")]),
            )

        return self._committed(read)

    def test_two_import_runs_at_once_import_each_batch_once(self):
        ids = self._queue(3, sources=["contacts", "online", "contacts"])
        # Worker a stops after its first chunk is committed: the batch it
        # processes is then locked by no row, and its state is 'running'.
        pause = Pause()
        commit_progress = type(self.env["ir.cron"])._commit_progress

        def commit(cron, processed=0, **kwargs):
            left = commit_progress(cron, processed, **kwargs)
            if processed:
                pause()
            return left

        with patch.object(type(self.env["ir.cron"]), "_commit_progress", commit):
            _a, _b, b_first = self._race(
                lambda env: env["contoso.import.batch"]._cron_process_queued(),
                lambda env: env["contoso.import.batch"]._cron_process_queued(),
                pause,
            )
        self.assertTrue(b_first, "the second run waited for the first one")
        # Each batch was imported by one worker, each of its rows once: a took
        # the first contacts file, b the purchases meanwhile; the second
        # contacts file waited for the first (one file of a source at a time,
        # in the order they came), then a imported it.
        workers = {}
        for thread, batch_id, rows in self.chunks:
            workers.setdefault(batch_id, []).append((thread, rows))
        self.assertEqual(
            workers,
            {
                ids[0]: [("worker-a", 2)] * 3,
                ids[1]: [("worker-b", 2)] * 3,
                ids[2]: [("worker-a", 2)] * 3,
            },
        )
        order = [batch_id for _thread, batch_id, _rows in self.chunks]
        self.assertLess(
            max(i for i, b in enumerate(order) if b == ids[0]),
            min(i for i, b in enumerate(order) if b == ids[2]),
        )
        batches, partners = self._results(ids)
        self.assertEqual(
            batches, dict.fromkeys(ids, ("done", ROWS, ROWS, 0, 0, 0)), "counts"
        )
        self.assertEqual(partners, 2 * ROWS, "one contact per ContactId")

    def test_a_file_waits_for_its_source_between_the_slices_of_an_earlier(self):
        # Another cron worker holds the contacts' lock, importing a slice of
        # the first file, when this run tries it; that slice ends (the lock is
        # released, the file still 'running') before this run reaches the
        # second file of the same source: the second must still wait.
        ids = self._queue(2)
        Batch = type(self.env["contoso.import.batch"])
        processing_lock = Batch._processing_lock
        holder = self.registry.cursor()
        self.addCleanup(holder.close)
        key = [
            "contoso_import_batch",
            f"{self.env.ref('base.user_admin').company_id.id}:contacts",
        ]
        holder.execute("SELECT pg_advisory_lock(%s::regclass::int, hashtext(%s))", key)

        @contextlib.contextmanager
        def lock(batch):
            with processing_lock(batch) as locked:
                yield locked
            if batch.id == ids[0]:
                holder.execute(
                    "SELECT pg_advisory_unlock(%s::regclass::int, hashtext(%s))",
                    key,
                )

        with patch.object(Batch, "_processing_lock", lock):
            self._committed(
                lambda env: env["contoso.import.batch"]._cron_process_queued()
            )
        self.assertEqual(self.chunks, [], "the second file ran before the first")
        batches, _partners = self._results(ids)
        self.assertEqual(batches[ids[1]][:2], ("queued", 0))

    def test_resume_and_run_manually_during_the_cron_run(self):
        (batch_id,) = self._queue(1)
        cron_id = self._cron_state("contoso_sales.ir_cron_contoso_import")

        def cron_worker(env):
            # What a cron worker does (ir.cron._process_jobs_loop): lock the
            # job, run it in a transaction of its own, release it; again while
            # the import is not done. Returns the chunks imported per run.
            IrCron = env.registry["ir.cron"]
            runs = []
            for _run in range(ROWS):
                chunks = len(self.chunks)
                job = IrCron._acquire_one_job(env.cr, cron_id, include_not_ready=True)
                IrCron._process_job(env.cr, job)
                env.cr.commit()
                runs.append(len(self.chunks) - chunks)
                env.cr.execute(
                    "SELECT state FROM contoso_import_batch WHERE id = %s", [batch_id]
                )
                if env.cr.fetchone()[0] == "done":
                    return runs
            return runs

        def data_admin(env):
            # The importer presses Run Manually on the job, then Resume on the
            # import, while the cron writes the import's first chunk.
            env = env(user=env.ref("base.user_admin"))
            try:
                env["ir.cron"].browse(cron_id).method_direct_trigger()
            except UserError as exc:
                refused = str(exc)
            else:
                refused = None
            env["contoso.import.batch"].browse(batch_id).action_resume()
            return refused

        a, b, b_first = self._race(cron_worker, data_admin, self.pause_in_chunk)
        self.assertTrue(b_first, "Resume waited for the chunk the cron was writing")
        self.assertIn("already executing", b.result or "", "Run Manually refused")
        # One chunk per run of the job, then the last run finishes the import:
        # a run stays within a cron worker's time limits.
        self.assertEqual(a.result, [1, 1, 1, 0])
        self.assertEqual({thread for thread, *_rest in self.chunks}, {"worker-a"})
        self.assertEqual(sum(rows for *_rest, rows in self.chunks), ROWS)
        expected = ({batch_id: ("done", ROWS, ROWS, 0, 0, 0)}, ROWS)
        self.assertEqual(self._results([batch_id]), expected)

        # Run Manually once the run is over imports nothing again.
        self._committed(
            lambda env: (
                env["ir.cron"]
                .with_user(env.ref("base.user_admin"))
                .browse(cron_id)
                .method_direct_trigger()
            )
        )
        self.assertEqual(self._results([batch_id]), expected)

    def test_a_contact_saved_by_a_user_during_the_chunk_is_imported(self):
        # The file updates contacts that exist; a user saves one of them after
        # the chunk's transaction began: its update then fails with a
        # serialization error (repeatable read). The chunk must be imported
        # again in a new transaction, not that row refused.
        self._queue(1)
        self._committed(lambda env: env["contoso.import.batch"]._cron_process_queued())
        (batch_id,) = self._queue(1, last="New")
        pause = Pause()

        def cron_until_done(env):
            for _run in range(ROWS):
                env["contoso.import.batch"]._cron_process_queued()
                env.cr.commit()
                env.cr.execute(
                    "SELECT state FROM contoso_import_batch WHERE id = %s", [batch_id]
                )
                if env.cr.fetchone()[0] not in ("queued", "running"):
                    return

        with self._paused_before_writing(pause):
            worker = Worker(self.registry, cron_until_done, "worker-a")
            pause.thread = worker
            worker.start()
            self.assertTrue(pause.reached.wait(WAIT * 3), "the import never got going")
            self._committed(_user_saves_first_contact)
            pause.go.set()
            worker.join(WAIT * 6)
        self.assertFalse(worker.is_alive(), "the import is stuck")
        if worker.error:
            raise worker.error
        batches, partners = self._results([batch_id])
        self.assertEqual(batches, {batch_id: ("done", ROWS, 0, ROWS, 0, 0)})
        self.assertEqual(partners, ROWS)

    def test_a_contact_saved_by_a_user_during_a_small_import(self):
        # The same, for a small file imported in the user's request: the
        # request is run again (Odoo's retrying), not the row refused.
        self._queue(1)
        self._committed(lambda env: env["contoso.import.batch"]._cron_process_queued())

        def wizard(env):
            return (
                env["contoso.import.wizard"]
                .with_user(env.ref("base.user_admin"))
                .create(
                    {
                        "source": "contacts",
                        "filename": "ZCONC-small.csv",
                        "file": base64.b64encode(
                            (
                                CONTACTS
                                + "".join(
                                    f"ZCONC0-{i},First{i},New{i},,,,,,,,,\r\n"
                                    for i in range(ROWS)
                                )
                            ).encode()
                        ),
                    }
                )
                .id
            )

        wizard_id = self._committed(wizard)
        pause = Pause()

        def request(env):
            env = env(user=env.ref("base.user_admin"))
            action = retrying(
                env["contoso.import.wizard"].browse(wizard_id).action_import, env
            )
            return action["res_id"]

        with self._paused_before_writing(pause):
            worker = Worker(self.registry, request, "worker-a")
            pause.thread = worker
            worker.start()
            self.assertTrue(pause.reached.wait(WAIT * 3), "the import never got going")
            self._committed(_user_saves_first_contact)
            pause.go.set()
            worker.join(WAIT * 6)
        self.assertFalse(worker.is_alive(), "the import is stuck")
        if worker.error:
            raise worker.error
        self.addCleanup(
            self._committed,
            lambda env: env["contoso.import.batch"].browse(worker.result).unlink(),
        )
        batches, partners = self._results([worker.result])
        self.assertEqual(batches, {worker.result: ("done", ROWS, 0, ROWS, 0, 0)})
        self.assertEqual(partners, ROWS)

    def test_two_small_files_of_a_source_uploaded_at_once(self):
        # Two data administrators upload a small contacts file each at the same
        # moment: neither request sees the other's file (not committed), and
        # the second must not import its file while the first imports its own.
        def wizard(n):
            def create(env):
                content = CONTACTS + "".join(
                    f"ZCONC{n}-{i},First{i},Last{i},,,,,,,,,\r\n" for i in range(ROWS)
                )
                return (
                    env["contoso.import.wizard"]
                    .with_user(env.ref("base.user_admin"))
                    .create(
                        {
                            "source": "contacts",
                            "filename": f"ZCONC{n}.csv",
                            "file": base64.b64encode(content.encode()),
                        }
                    )
                    .id
                )

            return self._committed(create)

        def request(wizard_id):
            def run(env):
                env = env(user=env.ref("base.user_admin"))
                wizard = env["contoso.import.wizard"].browse(wizard_id)
                return retrying(wizard.action_import, env)["res_id"]

            return run

        first, second = wizard(0), wizard(1)

        def remove(env):
            env["res.partner"].with_context(active_test=False).search(
                [("contoso_contact_ref", "=like", "ZCONC%")]
            ).unlink()
            env["contoso.import.batch"].search(
                [("filename", "in", ("ZCONC0.csv", "ZCONC1.csv"))]
            ).unlink()

        self.addCleanup(self._committed, remove)
        pause = Pause()
        with self._paused_before_writing(pause):
            a, b, _b_first = self._race(request(first), request(second), pause)
        batches, _partners = self._results([a.result, b.result])
        self.assertEqual(batches[a.result][0], "done")
        self.assertEqual(
            batches[b.result][:2],
            ("queued", 0),
            "the second file was imported while the first one was",
        )
        self.assertEqual({thread for thread, *_rest in self.chunks}, {"worker-a"})

    def test_a_worker_killed_in_the_middle_of_a_chunk(self):
        # A chunk longer than the cron worker's limits (limit_time_real_cron,
        # limit_time_cpu) gets its worker killed, then the next worker's, on the
        # same chunk, forever: seen on a loaded prefork server, the batch stayed
        # 'running' at the same row. The run after a chunk that did not commit
        # imports a smaller one, and no row twice.
        (batch_id,) = self._queue(1)

        def kill(env):
            # as the master kills a worker: its connection ends, nothing commits
            env.cr.execute("SELECT pg_terminate_backend(%s)", [worker.pid])

        worker = Worker(
            self.registry,
            lambda env: env["contoso.import.batch"]._cron_process_queued(),
            "worker-a",
        )
        self.pause_in_chunk.thread = worker
        worker.start()
        self.assertTrue(self.pause_in_chunk.reached.wait(WAIT * 3))
        self._committed(kill)
        self.pause_in_chunk.go.set()
        worker.join(WAIT * 6)
        self.assertIsNotNone(worker.error, "the worker was not killed")

        def cron_until_done(env):
            for _run in range(ROWS * 2):
                env["contoso.import.batch"]._cron_process_queued()
                env.cr.commit()
                env.cr.execute(
                    "SELECT state FROM contoso_import_batch WHERE id = %s", [batch_id]
                )
                if env.cr.fetchone()[0] not in ("queued", "running"):
                    return

        self._committed(cron_until_done)
        self.assertEqual([rows for *_rest, rows in self.chunks], [2, 1, 1, 1, 1, 1, 1])
        self.assertEqual(
            self._results([batch_id]), ({batch_id: ("done", ROWS, ROWS, 0, 0, 0)}, ROWS)
        )


@tagged("post_install", "-at_install")
class TestConcurrentNurture(ConcurrencyCase):
    def setUp(self):
        super().setUp()
        self.deal_ids = self._committed(self._due_emails)
        self.addCleanup(self._committed, self._remove)
        self.pause = Pause()
        Enrolment = type(self.env["contoso.nurture.enrolment"])
        step_done = Enrolment._step_done

        def done(enrolments, date_done):
            step_done(enrolments, date_done)
            # the step's email posted, its activity done, the next planned;
            # the transaction still open
            self.pause()

        self.startPatcher(patch.object(Enrolment, "_step_done", done))

    def _due_emails(self, env):
        """Three enrolled deals whose information email was due yesterday, for
        a company that sends them automatically."""
        company = env.ref("base.main_company")
        self.auto_send = company.contoso_nurture_auto_send
        company.contoso_nurture_auto_send = True
        customer = env["res.partner"].create({"name": "ZCONC Corp", "is_company": True})
        deals = env["crm.lead"].create(
            [
                {
                    "name": f"ZCONC deal {n}",
                    "type": "opportunity",
                    "partner_id": customer.id,
                    "user_id": env.ref("base.user_admin").id,
                    "team_id": env.ref("contoso_sales.team_contoso").id,
                }
                for n in range(3)
            ]
        )
        deals._contoso_nurture_enrol()
        enrolments = deals.contoso_nurture_enrolment_ids
        self.assertEqual(len(enrolments), 3)
        enrolments.activity_id.action_feedback()  # the introduction call
        self.assertEqual(
            [enrolment.step_id.summary for enrolment in enrolments],
            ["Information email"] * 3,
        )
        enrolments.date_due = fields.Date.today() - timedelta(days=1)
        return deals.ids

    def _remove(self, env):
        deals = env["crm.lead"].with_context(active_test=False).browse(self.deal_ids)
        customer = deals.partner_id
        deals.unlink()
        customer.unlink()
        env.ref("base.main_company").contoso_nurture_auto_send = self.auto_send

    def _sent(self):
        """Per deal: information emails posted, steps done, current step."""

        def read(env):
            return [
                (
                    len(
                        deal.message_ids.filtered(
                            lambda m: SUBJECT in (m.subject or "")
                        )
                    ),
                    len(deal.contoso_nurture_enrolment_ids.line_ids),
                    deal.contoso_nurture_enrolment_ids.step_id.summary,
                    len(deal.activity_ids),
                )
                for deal in env["crm.lead"].browse(self.deal_ids)
            ]

        return self._committed(read)

    def test_two_email_runs_at_once_send_each_email_once(self):
        with self.assertNoLogs("odoo.addons.contoso_sales", logging.ERROR):
            _a, b, b_first = self._race(
                lambda env: env["contoso.nurture.enrolment"]._cron_send_due_emails(),
                lambda env: env["contoso.nurture.enrolment"]._cron_send_due_emails(),
                self.pause,
            )
        self.assertTrue(b_first, "the second run waited for the first one's deals")
        self.assertEqual(self._sent(), [(1, 2, "Check-in email", 1)] * 3)

    def test_run_manually_during_the_cron_run(self):
        cron_id = self._cron_state("contoso_sales.ir_cron_nurture_send_emails")

        def cron_worker(env):
            IrCron = env.registry["ir.cron"]
            job = IrCron._acquire_one_job(env.cr, cron_id, include_not_ready=True)
            IrCron._process_job(env.cr, job)

        def run_manually(env):
            env = env(user=env.ref("base.user_admin"))
            try:
                env["ir.cron"].browse(cron_id).method_direct_trigger()
            except UserError as exc:
                return str(exc)
            return None

        _a, b, b_first = self._race(cron_worker, run_manually, self.pause)
        self.assertTrue(b_first)
        self.assertIn("already executing", b.result or "", "Run Manually refused")
        self.assertEqual(self._sent(), [(1, 2, "Check-in email", 1)] * 3)
