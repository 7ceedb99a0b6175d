"""Bad cells are row errors, failures never leave a batch running, the error
file is safe to open in a spreadsheet."""

import base64
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .datahub_common import CONTACTS, LOYALTY, ONLINE, DataHubCase

CONTACT = "C1,Zoé,Dupont,,zoe@example.com,,,,,1 Main St,Redmond,US\r\n"


@tagged("post_install", "-at_install")
class TestDataHubBadCells(DataHubCase):
    def _errors(self, batch):
        return [(e.line, e.reason) for e in batch.error_ids]

    def test_points_out_of_range_fail_their_row_only(self):
        batch = self._import(
            "loyalty",
            LOYALTY + "LOYID_1,Ann Lee,,,,3000000000,\r\nLOYID_2,Bob Lee,,,,12,\r\n",
        )
        self.assertEqual(batch.state, "partial")
        self.assertEqual(self._counts(batch), (2, 1, 0, 0, 1))
        self.assertEqual(
            self._errors(batch),
            [
                (
                    2,
                    "RewardPoints '3000000000' is out of range: points must be at "
                    "most 2,147,483,647.",
                )
            ],
        )

    def test_a_huge_price_and_an_absurd_date_fail_their_row_only(self):
        self._import("contacts", CONTACTS + CONTACT)
        batch = self._import(
            "online",
            ONLINE + "W1,C1,2021-03-04,1e30,Purchase,Huge\r\n"
            "W2,C1,0001-01-01,10,Purchase,Year one\r\n"
            "W3,C1,9999-12-31,10,Purchase,Year 9999\r\n"
            "W4,C1,2021-03-04,10,Purchase,Fine\r\n",
        )
        self.assertEqual(batch.state, "partial")
        self.assertEqual(self._counts(batch), (4, 1, 0, 0, 3))
        self.assertEqual(
            self._errors(batch),
            [
                (
                    2,
                    "TotalPrice '1e30' is out of range: it must be below "
                    "1,000,000,000,000.",
                ),
                (
                    3,
                    "PurchasedOn '0001-01-01' is out of range: a date must be "
                    "between 1900 and 2100.",
                ),
                (
                    4,
                    "PurchasedOn '9999-12-31' is out of range: a date must be "
                    "between 1900 and 2100.",
                ),
            ],
        )

    def test_a_nul_byte_fails_its_row_only(self):
        batch = self._import(
            "contacts",
            CONTACTS + "C1,Zo\x00é,Dupont,,,,,,,,,\r\nC2,Ann,Lee,,,,,,,,,\r\n",
        )
        self.assertEqual(self._counts(batch), (2, 1, 0, 0, 1))
        self.assertEqual(
            self._errors(batch),
            [
                (
                    2,
                    "FirstName holds the control character U+0000: remove it from "
                    "the export (a NUL byte or an escape is never data).",
                )
            ],
        )
        self.assertFalse(self._partner("C1"))

    def test_cr_only_line_ends_are_rows_and_queue_a_large_file(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "contoso_sales.import_sync_max_rows", "5"
        )
        text = CONTACTS.replace("\r\n", "\r") + "".join(
            f"C{i},First{i},Last{i},,,,,,,,,\r" for i in range(8)
        )
        with patch.object(type(self.env["ir.cron"]), "_trigger") as trigger:
            batch = self._import("contacts", text)
        trigger.assert_called_once()
        self.assertEqual((batch.state, batch.rows_total), ("queued", 8))
        batch._process()
        self.assertEqual(self._counts(batch), (8, 8, 0, 0, 0))
        self.assertEqual(self._partner("C7").name, "First7 Last7")

    def test_error_file_neutralises_formulas_and_is_built_once(self):
        batch = self._import(
            "contacts",
            CONTACTS
            + ',=HYPERLINK("http://x"),+1+1,"-2+3+cmd|\' /C calc\'!A0",@SUM(A1),'
            "\tx,-5,,,,,,\r\n" + CONTACT,
        )
        rows = self._error_rows(batch)
        self.assertEqual(
            rows[1][:7],
            [
                "",
                '\'=HYPERLINK("http://x")',
                "'+1+1",
                "'-2+3+cmd|' /C calc'!A0",
                "'@SUM(A1)",
                "'\tx",
                "-5",
            ],
        )
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "contoso.import.batch"),
                ("res_id", "=", batch.id),
                ("res_field", "=", "error_file"),
            ]
        )
        self.assertEqual(len(attachment), 1, "stored when the import ended")
        with patch.object(
            type(batch), "_error_file_values", side_effect=AssertionError
        ):
            batch.invalidate_recordset()
            self.assertTrue(base64.b64decode(batch.error_file))
            batch.invalidate_recordset()
            self.assertEqual(batch.progress, 100)

    def test_a_row_that_breaks_the_write_fails_alone_and_resume_passes(self):
        partner_class = type(self.env["res.partner"])
        original = partner_class.create

        def create(self_, vals_list):
            # Another app's create override refusing one contact.
            if any(vals.get("name") == "Bad Row" for vals in vals_list):
                message = "Bad Row is refused by another app"
                raise ValidationError(message)
            return original(self_, vals_list)

        with patch.object(partner_class, "create", create):
            batch = self._import(
                "contacts",
                CONTACTS + CONTACT + "C2,Bad,Row,,,,,,,,,\r\nC3,Ann,Lee,,,,,,,,,\r\n",
            )
        self.assertEqual(batch.state, "partial")
        self.assertEqual(self._counts(batch), (3, 2, 0, 0, 1))
        self.assertEqual(
            self._errors(batch),
            [(3, "The row could not be written: Bad Row is refused by another app")],
        )
        self.assertTrue(self._partner("C1") and self._partner("C3"))

    def test_a_failing_batch_ends_failed_in_its_own_transaction(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "contoso_sales.import_sync_max_rows", "1"
        )
        with patch.object(type(self.env["ir.cron"]), "_trigger"):
            broken = self._import("contacts", CONTACTS + CONTACT * 2)
            fine = self._import(
                "contacts", CONTACTS + "C5,Ann,Lee,,,,,,,,,\r\nC6,Bo,Lee,,,,,,,,,\r\n"
            )
        self.assertEqual((broken.state, fine.state), ("queued", "queued"))
        batch_class = type(broken)
        original_chunk, original_finish = batch_class._import_chunk, batch_class._finish

        def import_chunk(self_, rows, lookups):
            if self_ == broken:
                raise MemoryError("out of memory")
            return original_chunk(self_, rows, lookups)

        def finish(self_, failed=None):
            if self_ == broken:
                raise RuntimeError("the failure handling fails too")
            return original_finish(self_, failed)

        def rollback():
            self.env.cr.execute("ROLLBACK TO SAVEPOINT cron_transaction")
            self.env.invalidate_all()

        # The separate transaction is a test cursor on this one.
        self.registry_enter_test_mode()
        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT cron_transaction")
        with (
            patch.object(batch_class, "_import_chunk", import_chunk),
            patch.object(batch_class, "_finish", finish),
            patch.object(self.env.cr, "rollback", rollback),
            patch.object(
                type(self.env["ir.cron"]), "_commit_progress", return_value=3600.0
            ),
            self.assertLogs("odoo.addons.contoso_sales", "ERROR"),
        ):
            self.env["contoso.import.batch"]._cron_process_queued()
        broken.invalidate_recordset()
        self.assertEqual(broken.state, "failed")
        self.assertIn("out of memory", broken.message)
        fine.invalidate_recordset()
        self.assertEqual(fine.state, "done", "the next batch was not blocked")
        self.assertTrue(self._partner("C5"))
