import base64
import os
import re
import threading
import time
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger
from psycopg2 import IntegrityError

from .datahub_common import CONTACTS, LOYALTY, ONLINE, POS, DataHubCase

TWO_CONTACTS = (
    CONTACTS + "C1,Zoé,Dupont,,Zoe.Dupont@Example.com ,1980-05-06,2020-01-02,98052,WA,"
    '"1 Main St, Apt 2",Redmond,United States\r\n'
    + "C2,John,Smith,,jsmith@example.com,5/6/1975,,10001,NY,2 Side St,New York,USA\r\n"
)


@tagged("post_install", "-at_install")
class TestDataHubImport(DataHubCase):
    def test_contacts_import_then_same_file_changes_nothing(self):
        batch = self._import("contacts", TWO_CONTACTS, "Contacts.csv")
        self.assertEqual(batch.state, "done")
        self.assertEqual(self._counts(batch), (2, 2, 0, 0, 0))
        zoe = self._partner("C1")
        self.assertEqual(zoe.name, "Zoé Dupont")
        self.assertEqual(zoe.email, "zoe.dupont@example.com")
        self.assertEqual(zoe.street, "1 Main St, Apt 2")
        self.assertEqual(zoe.country_id, self.env.ref("base.us"))
        self.assertEqual(zoe.state_id, self.env.ref("base.state_us_48"))
        self.assertEqual(str(zoe.contoso_birthdate), "1980-05-06")
        self.assertEqual(zoe.commercial_partner_id, zoe)
        self.assertEqual(zoe.contoso_name_key, "dupont zoe")
        self.assertEqual(self._partner("C2").country_id, self.env.ref("base.us"))
        self.assertEqual(batch.progress, 100)
        self.assertTrue(batch.checksum)

        again = self._import("contacts", TWO_CONTACTS, "Contacts.csv")
        self.assertEqual(self._counts(again), (2, 0, 0, 2, 0))
        self.assertEqual(again.checksum, batch.checksum)
        self.assertEqual(len(self._partner("C1") | self._partner("C2")), 2)

    def test_corrected_file_updates_only_changed_rows(self):
        self._import("contacts", TWO_CONTACTS)
        corrected = TWO_CONTACTS.replace("2 Side St", "3 Side St")
        batch = self._import("contacts", corrected)
        self.assertEqual(self._counts(batch), (2, 0, 1, 1, 0))
        self.assertEqual(self._partner("C2").street, "3 Side St")

    def test_semicolon_cp1252_decimal_comma_file(self):
        self._import("contacts", TWO_CONTACTS)
        text = (
            "purchase id;CONTACT-ID;Purchased On;Total Price;Subject;Store Notes\r\n"
            "W1;C1;04/03/2021;1.234,50;Caméra;x\r\n"
            'W2;C1;4 March 2021;19,99;"Doorbell; smart";y\r\n'
        )
        batch = self._import("online", text.encode("cp1252"), "Online.csv")
        self.assertEqual(self._counts(batch), (2, 2, 0, 0, 0))
        self.assertEqual(batch.ignored_columns, "Store Notes")
        self.assertEqual(
            batch.detected,
            "cp1252, semicolon-separated, columns purchase id, CONTACT-ID, "
            "Purchased On, Total Price, Subject, Store Notes",
        )
        purchases = self._partner("C1").contoso_purchase_ids.sorted("source_ref")
        self.assertEqual(purchases.mapped("amount_total"), [1234.5, 19.99])
        self.assertEqual(purchases.mapped("subject"), ["Caméra", "Doorbell; smart"])
        self.assertEqual(str(purchases[0].date), "2021-04-03")

    def test_row_errors_go_to_the_error_file_and_valid_rows_are_imported(self):
        self._import("contacts", TWO_CONTACTS)
        text = (
            ONLINE + "W1,C1,2021-03-04,10.00,Purchase,Ok\r\n"
            ",C1,2021-03-04,10.00,Purchase,No key\r\n"
            "W3,C1,2021-02-30,10.00,Purchase,Bad date\r\n"
            "W4,C1,2021-03-04,-5,Purchase,Negative\r\n"
            "W5,C1,2021-03-04,ten,Purchase,Not a number\r\n"
            "W6,C9,2021-03-04,7.50,Purchase,Unknown contact\r\n"
            "W7,C2,2021-03-05,1,Purchase,Ok too\r\n"
        )
        batch = self._import("online", text, "OnlinePurchases.csv")
        self.assertEqual(batch.state, "partial")
        self.assertEqual(self._counts(batch), (7, 3, 0, 0, 4))
        self.assertEqual(batch.rows_unlinked, 1)
        purchases = self.env["contoso.purchase"].search([("channel", "=", "online")])
        self.assertEqual(sorted(purchases.mapped("source_ref")), ["W1", "W6", "W7"])
        self.assertFalse(purchases.filtered(lambda p: p.source_ref == "W6").partner_id)
        self.assertEqual(batch.error_filename, "OnlinePurchases-errors.csv")
        rows = self._error_rows(batch)
        self.assertEqual(
            rows[0],
            [
                "PurchaseId",
                "ContactId",
                "PurchasedOn",
                "TotalPrice",
                "ActivityTypeDisplay",
                "Subject",
                "reason",
            ],
        )
        self.assertEqual(
            [row[:6] for row in rows[1:]],
            [line.split(",") for line in text.splitlines()[2:7]],
            "the original columns of the failed rows, untouched",
        )
        self.assertEqual(
            [row[6] for row in rows[1:]],
            [
                "PurchaseId is empty: a row without its PurchaseId cannot be "
                "imported, nor updated by a later import.",
                "PurchasedOn '2021-02-30' is not a date: use YYYY-MM-DD, MM/DD/YYYY "
                "or a month name such as '4 March 2021'.",
                "TotalPrice '-5' is negative: an amount must be 0 or more.",
                "TotalPrice 'ten' is not a number.",
                "ContactId 'C9' is unknown: the purchase is imported without a "
                "customer and is linked when that contact is imported.",
            ],
        )
        self.assertEqual(batch.error_ids.mapped("line"), [3, 4, 5, 6, 7])

        # The customer arrives later: the waiting purchase is linked then.
        self._import("contacts", CONTACTS + "C9,Late,Comer,,,,,,,,,\r\n")
        late = self._partner("C9")
        self.assertEqual(late.contoso_purchase_ids.mapped("source_ref"), ["W6"])

    def test_duplicated_rows_in_one_file(self):
        self._import("contacts", TWO_CONTACTS)
        text = (
            ONLINE + "W1,C1,2021-03-04,10.00,Purchase,A\r\n"
            "W1,C1,2021-03-04,10.00,Purchase,A\r\n"
            "W1,C1,2021-03-04,12.00,Purchase,A\r\n"
        )
        batch = self._import("online", text)
        # As if read row by row: created, then unchanged, then updated.
        self.assertEqual(self._counts(batch), (3, 1, 1, 1, 0))
        purchase = self.env["contoso.purchase"].search([("source_ref", "=", "W1")])
        self.assertEqual(purchase.amount_total, 12.0)

    def test_wrong_empty_and_header_only_files_are_refused(self):
        with self.assertRaises(UserError) as caught:
            self._import("online", POS + "S1,LOYID_1,2021-01-01,3,1,,\r\n", "Pos.csv")
        self.assertEqual(
            str(caught.exception),
            "'Pos.csv' is not a Online purchases export: expected the columns "
            "PurchaseId, ContactId, PurchasedOn, TotalPrice, missing ContactId; "
            "found PurchaseId, LoyaltyId, PurchasedOn, TotalPrice, RewardPointsAdded, "
            "ActivityTypeDisplay, Subject. It looks like a Shop purchases export: "
            "pick 'Shop purchases' in the wizard.",
        )
        with self.assertRaises(UserError) as caught:
            self._import("loyalty", b"", "Loyalty.csv")
        self.assertEqual(
            str(caught.exception),
            "'Loyalty.csv' is empty: expected a Loyalty members export with a header "
            "row (LoyaltyId, FullName, EMail, DateOfBirth, CreatedOn, RewardPoints, "
            "ContactId).",
        )
        with self.assertRaises(UserError) as caught:
            self._import("loyalty", LOYALTY, "Loyalty.csv")
        self.assertEqual(
            str(caught.exception),
            "'Loyalty.csv' has a header but no rows: expected Loyalty members rows "
            "after the header, found none.",
        )
        self.assertFalse(self.env["contoso.import.batch"].search([]))

    def test_dry_run_counts_without_writing(self):
        batch = self._import(
            "contacts", TWO_CONTACTS + ",No,Key,,,,,,,,,\r\n", dry_run=True
        )
        self.assertEqual(self._counts(batch), (3, 2, 0, 0, 1))
        self.assertTrue(batch.dry_run)
        self.assertFalse(self._partner("C1"))
        self.assertEqual(len(batch.error_ids), 1)
        self._import("contacts", TWO_CONTACTS)
        dry = self._import(
            "contacts", TWO_CONTACTS.replace("2 Side St", "9 Side St"), dry_run=True
        )
        self.assertEqual(self._counts(dry), (2, 0, 1, 1, 0))
        self.assertEqual(self._partner("C2").street, "2 Side St")

    def test_only_data_admins_and_managers_import(self):
        with self.assertRaises(AccessError):
            self._import("contacts", TWO_CONTACTS, user=self.salesperson)
        batch = self._import("contacts", TWO_CONTACTS, user=self.manager)
        self.assertEqual(batch.rows_created, 2)
        self.assertEqual(batch.user_id, self.manager)

    def test_unique_index_refuses_a_second_purchase_with_the_same_id(self):
        self._import("contacts", TWO_CONTACTS)
        self._import("online", ONLINE + "W1,C1,2021-03-04,10.00,Purchase,A\r\n")
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.env["contoso.purchase"].create(
                {
                    "channel": "online",
                    "source_ref": "W1",
                    "date": "2021-01-01",
                    "amount_total": 1,
                }
            )
        self.assertEqual(
            self.env["contoso.purchase"].search_count([("source_ref", "=", "W1")]), 1
        )


@tagged("post_install", "-at_install")
class TestDataHubBackground(DataHubCase):
    def setUp(self):
        super().setUp()
        param = self.env["ir.config_parameter"].sudo()
        param.set_param("contoso_sales.import_sync_max_rows", "5")
        param.set_param("contoso_sales.import_chunk_rows", "4")
        self.text = CONTACTS + "".join(
            f"C{i},First{i},Last{i},,p{i}@example.com,,,,,,,\r\n" for i in range(10)
        )

    def test_a_small_file_waits_for_an_earlier_file_of_its_source(self):
        # Files of a source are imported in the order they came: a newer
        # export run at once would be overwritten by the queued older one.
        with patch.object(type(self.env["ir.cron"]), "_trigger") as trigger:
            older = self._import("contacts", self.text)
            newer = self._import(
                "contacts", CONTACTS + "C1,First1,Newer,,p1@example.com,,,,,,,\r\n"
            )
            other_source = self._import(
                "loyalty", LOYALTY + "LOYID_1,Ann Lee,,,,120,C1\r\n"
            )
        self.assertEqual(trigger.call_count, 2)
        self.assertEqual((older.state, newer.state), ("queued", "queued"))
        self.assertEqual(newer.with_user(self.data_admin).waits_for_id, older)
        self.assertFalse(older.waits_for_id)
        self.assertEqual(other_source.state, "done")
        with (
            patch.object(type(self.env["ir.cron"]), "_trigger"),
            patch.object(
                type(self.env["ir.cron"]), "_commit_progress", return_value=3600.0
            ),
        ):
            for _run in range(4):
                self.env["contoso.import.batch"]._cron_process_queued()
        self.assertEqual((older.state, newer.state), ("done", "done"))
        self.assertFalse(newer.waits_for_id)
        self.assertEqual(self._partner("C1").name, "First1 Newer")

    def test_resume_of_an_older_file_after_a_newer_one_was_imported(self):
        # The older export stops after its first chunk; the next export of the
        # source is imported. Resuming the older one would write its stale
        # values over the newer file's: refused, with what to do instead.
        with patch.object(type(self.env["ir.cron"]), "_trigger"):
            older = self._import("contacts", self.text)
        older._process(max_chunks=1)
        older._bookkeep({"state": "failed"})
        newer = self._import(
            "contacts", CONTACTS + "C5,First5,Newer,,p5@example.com,,,,,,,\r\n"
        )
        self.assertEqual(newer.state, "done")
        self.assertEqual(self._partner("C5").name, "First5 Newer")
        with (
            patch.object(type(self.env["ir.cron"]), "_trigger"),
            self.assertRaisesRegex(UserError, re.escape(newer.name)),
        ):
            older.with_user(self.data_admin).action_resume()
        self.assertEqual(older.state, "failed")
        self.assertEqual(self._partner("C5").name, "First5 Newer")

    def test_large_file_is_queued_and_processed_in_chunks(self):
        with patch.object(type(self.env["ir.cron"]), "_trigger") as trigger:
            batch = self._import("contacts", self.text)
        trigger.assert_called_once()
        self.assertEqual(batch.state, "queued")
        self.assertEqual(batch.rows_total, 10)
        self.assertEqual(batch.progress, 0)
        self.assertFalse(self._partner("C0"))

        self.assertFalse(batch._process(max_chunks=1))
        self.assertEqual(batch.state, "running")
        self.assertEqual(batch.rows_done, 4)
        self.assertEqual(batch.progress, 40)
        self.assertTrue(batch._process())
        self.assertEqual(batch.state, "done")
        self.assertEqual(self._counts(batch), (10, 10, 0, 0, 0))

    def test_queued_import_leaves_the_cpu_to_users(self):
        """The import job's thread runs at a lower CPU priority (a higher nice
        value); the thread serving users keeps its own."""
        users_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        nice = min(users_nice + 5, 19)
        self.assertGreater(nice, users_nice, "the test process is niced to the end")
        self.env["ir.config_parameter"].sudo().set_param(
            "contoso_sales.import_nice", str(nice)
        )
        with patch.object(type(self.env["ir.cron"]), "_trigger"):
            batch = self._import("contacts", self.text)
        seen = {}

        def process(batch_):
            seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            return batch_._process()

        def cron_thread():
            # The cron runs in a thread of its own, as in the server; the test's
            # cursor is used by one thread at a time.
            with (
                patch.object(type(batch), "_process_as_importer", process),
                patch.object(
                    type(self.env["ir.cron"]), "_commit_progress", return_value=3600.0
                ),
            ):
                self.env["contoso.import.batch"]._cron_process_queued()

        thread = threading.Thread(target=cron_thread)
        thread.start()
        thread.join()
        self.assertEqual(seen.get("nice"), nice)
        self.assertEqual(batch.state, "done")
        self.assertEqual(self._counts(batch), (10, 10, 0, 0, 0))
        self.assertEqual(
            os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), users_nice
        )

    def test_cron_chunks_last_about_the_set_time(self):
        """Rows a chunk updates stay locked until its commit: the cron sizes its
        chunks to last about contoso_sales.import_chunk_seconds, whatever the
        source and the machine, never past import_chunk_rows."""
        param = self.env["ir.config_parameter"].sudo()
        param.set_param("contoso_sales.import_chunk_seconds", "0.05")
        with patch.object(type(self.env["ir.cron"]), "_trigger"):
            batch = self._import("contacts", self.text)
        sizes = []
        original = type(batch)._import_chunk

        def slow_chunk(batch_, rows, lookups):
            sizes.append(len(rows))
            original(batch_, rows, lookups)
            time.sleep(0.1 * len(rows))  # 0.1 s a row: a slow machine

        with (
            patch.object(type(batch), "_import_chunk", slow_chunk),
            patch.object(
                type(self.env["ir.cron"]), "_commit_progress", return_value=3600.0
            ),
        ):
            self.env["contoso.import.batch"]._cron_process_queued()
        self.assertEqual(sizes, [4, 1, 1, 1, 1, 1, 1])
        self.assertEqual(batch.chunk_rows, 1)
        self.assertEqual(self._counts(batch), (10, 10, 0, 0, 0))
        # A fast machine: the chunks grow back, twice at most each time, up to
        # import_chunk_rows.
        self.assertEqual(batch._fit_chunk(1, 1, 0.001), 2)
        self.assertEqual(batch._fit_chunk(2, 2, 0.001), 4)
        self.assertEqual(batch._fit_chunk(4, 4, 0.001), 4)

    def test_first_cron_chunk_is_small(self):
        """A queued file's first committed chunk is not a full
        import_chunk_rows: its pace is not known yet, and its locks would be
        held for as long as 10,000 contacts take."""
        param = self.env["ir.config_parameter"].sudo()
        param.set_param("contoso_sales.import_chunk_rows", "10000")
        text = CONTACTS + "".join(
            f"C{i},First{i},Last{i},,p{i}@example.com,,,,,,,\r\n" for i in range(250)
        )
        with patch.object(type(self.env["ir.cron"]), "_trigger"):
            batch = self._import("contacts", text)
        sizes = []
        original = type(batch)._import_chunk

        def chunk(batch_, rows, lookups):
            sizes.append(len(rows))
            original(batch_, rows, lookups)

        with (
            patch.object(type(batch), "_import_chunk", chunk),
            patch.object(
                type(self.env["ir.cron"]), "_commit_progress", return_value=3600.0
            ),
        ):
            self.env["contoso.import.batch"]._cron_process_queued()
        self.assertEqual(sizes[0], 100)
        self.assertEqual(sum(sizes), 250)
        self.assertEqual(self._counts(batch), (250, 250, 0, 0, 0))

    def test_fitted_chunks_fill_the_cron_run(self):
        """With fitted chunks a run imports chunks while the next fits in the
        time Odoo leaves the job (each committed), not one chunk a run: each
        run reads the file's lookups and last imports again."""
        param = self.env["ir.config_parameter"].sudo()
        param.set_param("contoso_sales.import_chunk_rows", "2")
        Cron = type(self.env["ir.cron"])
        left = iter([5.0, 5.0, 0.5])  # seconds left after each committed chunk
        with (
            patch.object(Cron, "_trigger") as trigger,
            # the chunks keep their two rows however long this machine takes
            # (fitting has its test above; on a busy machine a chunk of two
            # slower than import_chunk_seconds would shrink to one row)
            patch.object(
                type(self.env["contoso.import.batch"]),
                "_fit_chunk",
                side_effect=lambda size, rows, seconds: size,
            ),
            patch.object(
                Cron,
                "_commit_progress",
                # A chunk's commit reports its rows; the others report none.
                side_effect=lambda processed=0, **kw: next(left) if processed else 9.0,
            ),
        ):
            batch = self._import("contacts", self.text)
            self.env["contoso.import.batch"]._cron_process_queued()
        # Three chunks of two rows in the first run, the third leaving 0.5 s:
        # less than two chunks' time, the run ends and triggers the next
        # (after the wizard's trigger).
        self.assertEqual(batch.rows_done, 6)
        self.assertEqual(batch.state, "running")
        self.assertEqual(trigger.call_count, 2)

    def test_crash_mid_chunk_resumes_without_duplicates(self):
        with patch.object(type(self.env["ir.cron"]), "_trigger"):
            batch = self._import("contacts", self.text)
        batch._process(max_chunks=1)
        # The server dies while the second chunk is written: its transaction
        # (here a savepoint) is lost, the committed first chunk stays.
        original = type(batch)._link

        def crash(self_, good, touched):
            original(self_, good, touched)
            raise KeyboardInterrupt("server killed")

        with (
            self.assertRaises(KeyboardInterrupt),
            self.env.cr.savepoint(),
            patch.object(type(batch), "_link", crash),
        ):
            batch._process(max_chunks=1)
        batch.invalidate_recordset()
        self.assertEqual(batch.rows_done, 4)
        self.assertEqual(batch.state, "running")

        # The cron picks the running batch up again (its commits are no-ops here).
        with patch.object(
            type(self.env["ir.cron"]), "_commit_progress", return_value=3600.0
        ) as progress:
            self.env["contoso.import.batch"]._cron_process_queued()
        self.assertEqual(
            progress.call_count,
            5,
            "once locked, once its chunk marked pending, once per chunk, at the end",
        )
        self.assertEqual(batch.state, "done")
        self.assertEqual(self._counts(batch), (10, 10, 0, 0, 0))
        partners = self.env["res.partner"].search(
            [("contoso_contact_ref", "!=", False)]
        )
        self.assertEqual(len(partners), 10)

    def test_re_running_a_whole_file_after_a_crash_creates_nothing_twice(self):
        with patch.object(type(self.env["ir.cron"]), "_trigger"):
            first = self._import("contacts", self.text)
        first._process(max_chunks=2)
        with patch.object(type(self.env["ir.cron"]), "_trigger"):
            again = self._import("contacts", self.text)
        again._process()
        self.assertEqual(self._counts(again), (10, 2, 0, 8, 0))
        self.assertEqual(
            self.env["res.partner"].search_count(
                [("contoso_contact_ref", "!=", False)]
            ),
            10,
        )

    def test_error_file_is_downloadable_from_the_batch(self):
        batch = self._import(
            "contacts", CONTACTS + ",A,B,,,,,,,,,\r\nC1,A,B,,,,,,,,,\r\n"
        )
        self.assertEqual(
            self._error_rows(batch)[1],
            ["", "A", "B"]
            + [""] * 9
            + [
                "ContactId is empty: a row without its ContactId cannot be "
                "imported, nor updated by a later import."
            ],
        )
        data = base64.b64decode(batch.with_user(self.data_admin).error_file)
        self.assertTrue(data.startswith(b"\xef\xbb\xbfContactId,"))
