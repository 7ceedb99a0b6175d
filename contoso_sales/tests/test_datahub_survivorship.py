"""Imported contacts are real partners, and re-imports never lose what people
entered: survivorship per source record, conflicts, chatter, company scoping."""

import random
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import BaseCase, freeze_time, new_test_user, tagged

from ..datahub.survivorship import survive
from .datahub_common import CONTACTS, DataHubCase, stored_values

ZOE = (
    "C1,Zoé,Dupont,,Zoe.Dupont@Example.com ,1980-05-06,2020-01-02,98052,WA,"
    '"1 Main St, Apt 2",Redmond,United States'
)
JOHN = "C2,John,Smith,,jsmith@example.com,5/6/1975,,10001,NY,2 Side St,New York,USA"
FILE = CONTACTS + ZOE + "\r\n" + JOHN + "\r\n"
# Stored fields that are the record's identity or the moment it was written,
# not something a create() decides: everything else must be equal.


class TestSurvive(BaseCase):
    """The rule itself, without a database."""

    def test_each_case_of_the_rule(self):
        now = {"street": "Hand St", "city": "Paris", "zip": None, "email": "a@b.c"}
        last = {"street": "Old St", "city": "Paris", "email": "a@b.c"}
        writes, conflicts, imported = survive(
            {"street": "New St", "city": "Lyon", "zip": "75001", "email": None},
            now,
            last,
        )
        self.assertEqual(writes, {"city": "Lyon", "zip": "75001"})
        self.assertEqual(conflicts, [("street", "Hand St", "New St")])
        self.assertEqual(
            imported,
            {"street": "New St", "city": "Lyon", "zip": "75001", "email": "a@b.c"},
        )
        # The same file again: the person's street stays, no new conflict.
        self.assertEqual(
            survive({"street": "New St"}, now, imported), ({}, [], imported)
        )
        # No previous import: only empty fields are filled.
        self.assertEqual(
            survive({"street": "New St", "zip": "1"}, now, None)[:2],
            ({"zip": "1"}, [("street", "Hand St", "New St")]),
        )


@tagged("post_install", "-at_install")
class TestDataHubSurvivorship(DataHubCase):
    # Defaults such as calendar_last_notif_ack are "now": one instant for both.
    @freeze_time("2026-03-02 10:00:00")
    def test_imported_contact_is_the_partner_create_makes(self):
        batch = self._import("contacts", CONTACTS + ZOE + "\r\n")
        self.assertEqual(batch.state, "done")
        imported = self._partner("C1")
        made = (
            self.env["res.partner"]
            .with_user(self.data_admin)
            .create(
                {
                    "name": "Zoé Dupont",
                    "email": "zoe.dupont@example.com",
                    "contoso_birthdate": "1980-05-06",
                    "street": "1 Main St, Apt 2",
                    "zip": "98052",
                    "city": "Redmond",
                    "state_id": self.env.ref("base.state_us_48").id,
                    "country_id": self.env.ref("base.us").id,
                }
            )
        )
        # As the import does: the user's pending computes are written as them.
        made.env.flush_all()
        self.env.invalidate_all()
        imported, made = imported.sudo(), made.sudo()
        expected, got = stored_values(made), stored_values(imported)
        differences = {
            name: (got[name], expected[name])
            for name in expected
            if got[name] != expected[name]
        }
        self.assertEqual(differences, {}, "imported vs create(), field by field")
        self.assertEqual(imported.complete_name, "Zoé Dupont")
        self.assertEqual(imported.commercial_partner_id, imported)

    def test_a_not_null_column_another_app_adds_is_filled_by_its_default(self):
        # What Purchase does with group_rfq: a required column with a default.
        self.env.cr.execute(
            "ALTER TABLE res_partner ALTER COLUMN supplier_rank SET NOT NULL"
        )
        batch = self._import("contacts", FILE)
        self.assertEqual(self._counts(batch), (2, 2, 0, 0, 0))
        self.assertEqual(self._partner("C1").supplier_rank, 0)

    def test_hand_edit_survives_reimport_and_a_changed_file_lists_a_conflict(self):
        self._import("contacts", FILE)
        john = self._partner("C2")
        john.with_user(self.salesperson).street = "2b Side Street"

        again = self._import("contacts", FILE)
        self.assertEqual(self._counts(again), (2, 0, 0, 2, 0))
        self.assertEqual(john.street, "2b Side Street", "the file did not change")
        self.assertFalse(again.conflict_ids)

        moved = self._import("contacts", FILE.replace("2 Side St", "3 Side St"))
        self.assertEqual(john.street, "2b Side Street", "a person's edit is kept")
        self.assertEqual(
            [
                (c.key, c.partner_id, c.field_name, c.odoo_value, c.file_value)
                for c in moved.conflict_ids
            ],
            [("C2", john, "street", "2b Side Street", "3 Side St")],
        )
        self.assertEqual(moved.conflict_ids.field_label, "Street")

        moved.conflict_ids.with_user(self.data_admin).action_apply_file_value()
        self.assertEqual(john.street, "3 Side St")
        self.assertEqual(moved.conflict_ids.state, "applied")
        last = self._import("contacts", FILE.replace("2 Side St", "3 Side St"))
        self.assertEqual(self._counts(last), (2, 0, 0, 2, 0))
        self.assertFalse(last.conflict_ids)

    def test_untouched_fields_follow_the_file_and_the_chatter_says_so(self):
        batch = self._import("contacts", FILE)
        changed = self._import(
            "contacts", FILE.replace("2 Side St", "3 Side St").replace(",NY,", ",CA,")
        )
        john = self._partner("C2")
        self.assertEqual(self._counts(changed), (2, 0, 1, 1, 0))
        self.assertEqual(john.street, "3 Side St")
        self.assertEqual(john.state_id, self.env.ref("base.state_us_5"))
        note = john.message_ids[0]
        self.assertIn(f"#{changed.id}", note.body)
        self.assertIn("Street: 2 Side St → 3 Side St", note.body)
        self.assertIn("State: New York (US) → California (US)", note.body)
        record = self.env["contoso.source.record"].search([("key", "=", "C2")])
        self.assertEqual(record.batch_id, changed)
        self.assertEqual(record.partner_id, john)
        self.assertNotEqual(batch, changed)

    def test_an_empty_cell_never_erases_a_stored_value(self):
        self._import("contacts", FILE)
        batch = self._import("contacts", FILE.replace("2 Side St", ""))
        self.assertEqual(self._counts(batch), (2, 0, 0, 2, 0))
        self.assertEqual(self._partner("C2").street, "2 Side St")

    def test_same_rows_shuffled_never_reach_the_orm(self):
        rows = [
            f"C{i},First{i},Last{i},,p{i}@example.com,,,,,S{i},City,US"
            for i in range(30)
        ]
        self._import("contacts", CONTACTS + "\r\n".join(rows) + "\r\n")
        random.Random(4).shuffle(rows)  # noqa: S311 - a shuffle, not a secret
        partner_class = type(self.env["res.partner"])
        with (
            patch.object(partner_class, "write", side_effect=AssertionError),
            patch.object(partner_class, "create", side_effect=AssertionError),
        ):
            again = self._import("contacts", CONTACTS + "\n".join(rows) + "\n")
        self.assertEqual(self._counts(again), (30, 0, 0, 30, 0))

    def test_unchanged_contacts_link_and_match_nothing_again(self):
        self._import("contacts", FILE)
        purchase_class = type(self.env["contoso.purchase"])
        member_class = type(self.env["contoso.loyalty.member"])
        with (
            patch.object(purchase_class, "_relink", autospec=True) as relink,
            patch.object(member_class, "_match", autospec=True) as match,
        ):
            self._import("contacts", FILE)
            self.assertFalse(relink.called or match.called)
            self._import("contacts", FILE.replace("2 Side St", "3 Side St"))
        self.assertEqual(relink.call_args.kwargs, {"contact_refs": ["C2"]})

    def test_the_batch_company_is_the_users_current_company_never_the_clients(self):
        other = self.env["res.company"].create({"name": "Other Contoso"})
        self.data_admin.company_ids = [(4, other.id)]
        batch = (
            self.env["contoso.import.batch"]
            .with_user(self.data_admin)
            .create(
                {
                    "source": "contacts",
                    "filename": "forged.csv",
                    "company_id": other.id,
                    "user_id": self.manager.id,
                    "state": "done",
                    "rows_done": 99,
                }
            )
        )
        self.assertEqual(batch.company_id, self.env.company)
        self.assertEqual(batch.user_id, self.data_admin)
        self.assertEqual((batch.state, batch.rows_done), ("queued", 0))
        with self.assertRaises(AccessError):
            batch.with_user(self.data_admin).write({"state": "done"})

    def test_other_companies_see_no_import_data(self):
        other = self.env["res.company"].create({"name": "Other Contoso"})
        outsider = new_test_user(
            self.env,
            login="t_olga",
            name="Test Olga",
            company_id=other.id,
            company_ids=[(6, 0, [other.id])],
            groups="base.group_user,contoso_sales.group_sales_manager",
        )
        self._import("contacts", FILE)
        john = self._partner("C2")
        john.street = "Hand St"
        batch = self._import("contacts", FILE.replace("2 Side St", "3 Side St"))
        self._import(
            "loyalty",
            "LoyaltyId,FullName,EMail,DateOfBirth,CreatedOn,RewardPoints,ContactId\r\n"
            "LOYID_1,John Smith,jsmith@example.com,,,10,C2\r\n",
        )
        self.assertTrue(batch.conflict_ids)
        for model in (
            "contoso.import.batch",
            "contoso.import.conflict",
            "contoso.source.record",
            "contoso.loyalty.member",
        ):
            self.assertTrue(self.env[model].with_user(self.data_admin).search([]))
            self.assertFalse(
                self.env[model].with_user(outsider).search([]), f"{model} leaks"
            )
        with self.assertRaises(AccessError):
            batch.conflict_ids.with_user(outsider).action_apply_file_value()
        self.assertEqual(john.street, "Hand St")

    def test_a_contact_of_another_company_is_refused_on_its_row(self):
        other = self.env["res.company"].create({"name": "Other Contoso"})
        hidden = self.env["res.partner"].create(
            {
                "name": "Hidden Person",
                "contoso_contact_ref": "C1",
                "company_id": other.id,
            }
        )
        batch = self._import("contacts", FILE)
        self.assertEqual(self._counts(batch), (2, 1, 0, 0, 1))
        self.assertEqual(
            batch.error_ids.reason,
            "ContactId 'C1' belongs to a contact you may not edit (another "
            "company's): import it as a user of that company.",
        )
        self.assertNotIn("Hidden", self._error_rows(batch)[1][-1])
        self.assertEqual((hidden.name, hidden.street), ("Hidden Person", False))

    def test_a_queued_file_is_imported_with_its_users_rights_not_the_crons(self):
        other = self.env["res.company"].create({"name": "Other Contoso"})
        hidden = self.env["res.partner"].create(
            {
                "name": "Hidden Person",
                "contoso_contact_ref": "C1",
                "company_id": other.id,
            }
        )
        self.env["ir.config_parameter"].sudo().set_param(
            "contoso_sales.import_sync_max_rows", "1"
        )
        with patch.object(type(self.env["ir.cron"]), "_trigger"):
            batch = self._import("contacts", FILE)
        self.assertEqual(batch.state, "queued")
        with patch.object(
            type(self.env["ir.cron"]), "_commit_progress", return_value=3600.0
        ):
            self.env["contoso.import.batch"]._cron_process_queued()
        self.assertEqual(self._counts(batch), (2, 1, 0, 0, 1))
        self.assertEqual(self._partner("C2").create_uid, self.data_admin)
        self.assertEqual((hidden.name, hidden.street), ("Hidden Person", False))

    def test_a_card_is_never_matched_with_another_companys_contact(self):
        other = self.env["res.company"].create({"name": "Other Contoso"})
        self.env["res.partner"].create(
            {"name": "Ann Lee", "email": "ann@example.com", "company_id": other.id}
        )
        self._import(
            "loyalty",
            "LoyaltyId,FullName,EMail,DateOfBirth,CreatedOn,RewardPoints,ContactId\r\n"
            "LOYID_1,Ann Lee,ann@example.com,,,5,\r\n",
        )
        member = self.env["contoso.loyalty.member"].search([])
        self.assertEqual(member.company_id, self.env.company)
        self.assertFalse(member.partner_id | member.candidate_partner_id)
