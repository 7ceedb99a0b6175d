"""The cycle collector is paused while an import chunk of the addon's own
tables runs, and always on again after it (datahub.priority.paused_gc)."""

import gc
from unittest.mock import patch

from odoo.tests import BaseCase, tagged

from ..datahub.priority import paused_gc
from .datahub_common import CONTACTS, ONLINE, DataHubCase


class TestPausedGc(BaseCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(gc.enable if gc.isenabled() else gc.disable)

    def test_paused_inside_on_after(self):
        gc.enable()
        with paused_gc():
            self.assertFalse(gc.isenabled())
        self.assertTrue(gc.isenabled())

    def test_on_again_after_a_failure(self):
        gc.enable()
        with self.assertRaises(ZeroDivisionError), paused_gc():
            _ = 1 / 0
        self.assertTrue(gc.isenabled(), "a failed chunk leaves the collector on")

    def test_left_off_when_it_was_off(self):
        gc.disable()
        with paused_gc():
            self.assertFalse(gc.isenabled())
        self.assertFalse(gc.isenabled(), "whoever turned it off turns it on")


@tagged("post_install", "-at_install")
class TestImportChunkGc(DataHubCase):
    def _collector_during_chunks(self, source, text):
        seen = []
        batch_class = type(self.env["contoso.import.batch"])
        original = batch_class._import_chunk

        def import_chunk(batch, rows, lookups):
            seen.append(gc.isenabled())
            return original(batch, rows, lookups)

        gc.enable()
        with patch.object(batch_class, "_import_chunk", import_chunk):
            batch = self._import(source, text)
        self.assertTrue(gc.isenabled())
        return batch, seen

    def test_purchases_chunk_runs_without_the_collector(self):
        batch, seen = self._collector_during_chunks(
            "online", ONLINE + "W1,C1,2024-01-05,10.00,Purchase,Doorbell\r\n"
        )
        self.assertEqual(self._counts(batch), (1, 1, 0, 0, 0))
        self.assertEqual(seen, [False])

    def test_contacts_chunk_keeps_the_collector(self):
        batch, seen = self._collector_during_chunks(
            "contacts",
            CONTACTS
            + "C1,Ann,Lee,Ann Lee,ann@example.com,,,98052,WA,1 Main,Redmond,US\r\n",
        )
        self.assertEqual(self._counts(batch), (1, 1, 0, 0, 0))
        self.assertEqual(seen, [True])

    def test_a_failing_chunk_turns_the_collector_on_again(self):
        batch = self._import("online", ONLINE + "W1,C1,2024-01-05,10.00,,\r\n")
        batch.rows_done = 0
        gc.enable()
        with (
            patch.object(type(batch), "_import_chunk", side_effect=RuntimeError("x")),
            self.assertRaises(RuntimeError),
        ):
            batch._process()
        self.assertTrue(gc.isenabled())
