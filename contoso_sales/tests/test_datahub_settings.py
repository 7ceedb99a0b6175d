import threading
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .datahub_common import CONTACTS, DataHubCase


@tagged("post_install", "-at_install")
class TestDataHubSettings(DataHubCase):
    """The import's system parameters are typed by hand in Settings > Technical:
    a value that is not a usable number must neither stop the queued imports
    nor mark a file done without importing it."""

    def setUp(self):
        super().setUp()
        self.param = self.env["ir.config_parameter"].sudo()
        self.param.set_param("contoso_sales.import_sync_max_rows", "5")
        self.text = CONTACTS + "".join(
            f"C{i},First{i},Last{i},,p{i}@example.com,,,,,,,\r\n" for i in range(10)
        )

    def _run_cron(self):
        # In a thread of its own, as the server's cron: the nice it takes must
        # not stay on the test's thread.
        def cron():
            with patch.object(
                type(self.env["ir.cron"]), "_commit_progress", return_value=3600.0
            ):
                self.env["contoso.import.batch"]._cron_process_queued()

        thread = threading.Thread(target=cron)
        thread.start()
        thread.join()

    @mute_logger("odoo.addons.contoso_sales.models.contoso_import_batch")
    def test_malformed_parameters_fall_back_to_their_defaults(self):
        Batch = self.env["contoso.import.batch"]
        for value in ("ten", "nan", "inf", "-3", "1e999"):
            self.param.set_param("contoso_sales.import_nice", value)
            self.param.set_param("contoso_sales.import_chunk_seconds", value)
            self.param.set_param("contoso_sales.import_chunk_rows", value)
            self.assertEqual(Batch._import_nice(), 10, value)
            self.assertEqual(Batch._chunk_seconds(), 0.5, value)
            self.assertEqual(Batch._chunk_rows(), 10000, value)
        self.param.set_param("contoso_sales.import_chunk_rows", "0")
        self.assertEqual(Batch._chunk_rows(), 10000)
        # Usable values are kept, 0 included where it means "off".
        self.param.set_param("contoso_sales.import_nice", "0")
        self.param.set_param("contoso_sales.import_chunk_seconds", "0.2")
        self.param.set_param("contoso_sales.import_chunk_rows", "7")
        self.assertEqual(Batch._import_nice(), 0)
        self.assertEqual(Batch._chunk_seconds(), 0.2)
        self.assertEqual(Batch._chunk_rows(), 7)

    @mute_logger("odoo.addons.contoso_sales.models.contoso_import_batch")
    def test_queued_import_with_malformed_parameters_imports_every_row(self):
        self.param.set_param("contoso_sales.import_nice", "ten")
        self.param.set_param("contoso_sales.import_chunk_seconds", "nan")
        self.param.set_param("contoso_sales.import_chunk_rows", "0")
        with patch.object(type(self.env["ir.cron"]), "_trigger"):
            batch = self._import("contacts", self.text)
        self.assertEqual(batch.state, "queued")
        self._run_cron()
        batch.invalidate_recordset()
        self.assertEqual(batch.state, "done")
        self.assertEqual(self._counts(batch), (10, 10, 0, 0, 0))
        self.assertEqual(len(self._partner("C9")), 1)
