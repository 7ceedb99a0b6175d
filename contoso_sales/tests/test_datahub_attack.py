"""Attacks on the data hub as the roles that may try them: another company's
users reading or taking over this company's import data, and a conflict
applied after Odoo's value or the file moved on."""

import base64
import hashlib

from odoo.exceptions import UserError
from odoo.tests import BaseCase, new_test_user, tagged

from ..datahub.normalise import normalise_email
from .datahub_common import CONTACTS, LOYALTY, ONLINE, DataHubCase

JOHN = "C2,John,Smith,,jsmith@example.com,5/6/1975,,10001,NY,2 Side St,New York,USA"
FILE = CONTACTS + JOHN + "\r\n"


@tagged("post_install", "-at_install")
class TestDataHubAttack(DataHubCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Other Contoso"})
        cls.other_salesperson = cls._role_user(
            "other salesperson",
            company_id=cls.other.id,
            company_ids=[(6, 0, [cls.other.id])],
        )
        cls.other_admin = new_test_user(
            cls.env,
            login="t_odile",
            name="Test Odile",
            company_id=cls.other.id,
            company_ids=[(6, 0, [cls.other.id])],
            groups="base.group_user,contoso_sales.group_data_admin",
        )

    def test_customers_of_another_company_show_none_of_its_loyalty_cards(self):
        self._import("contacts", FILE)
        self._import(
            "loyalty", LOYALTY + "LOYID_1,John Smith,jsmith@example.com,,,10,C2\r\n"
        )
        customers = self.env["contoso.customer"]
        own = customers.with_user(self.data_admin).search([("contact_ref", "=", "C2")])
        self.assertEqual((own.loyalty_ref, own.points), ("LOYID_1", 10))
        # The contact is shared, its loyalty card is this company's only.
        self.env.invalidate_all()  # the rows are the reader's: no shared cache
        outsider = customers.with_user(self.other_salesperson)
        seen = outsider.search_read(
            [("contact_ref", "=", "C2")], ["loyalty_ref", "points"]
        )
        self.assertEqual([(r["loyalty_ref"], r["points"]) for r in seen], [(False, 0)])
        self.assertFalse(outsider.search_count([("loyalty_ref", "=", "LOYID_1")]))
        groups = outsider.formatted_read_group([], [], ["points:sum"])
        self.assertFalse(groups[0]["points:sum"])

    def test_another_company_cannot_take_over_a_source_record(self):
        self._import("contacts", FILE)
        john = self._partner("C2")
        self.assertFalse(john.company_id, "imported contacts are shared")
        batch = self._import(
            "contacts", CONTACTS + "C2,Johnny,Smith,,,,,,,,,\r\n", user=self.other_admin
        )
        self.assertEqual(
            batch.error_ids.reason,
            "ContactId 'C2' is imported by another company: import it as a user of "
            "that company.",
        )
        records = self.env["contoso.source.record"]
        mine = records.with_user(self.data_admin).search([("key", "=", "C2")])
        self.assertEqual(mine.company_id, self.env.company)
        self.assertEqual(mine.imported_values["email"], "jsmith@example.com")
        # The other company never reads what this company imported.
        self.assertFalse(records.with_user(self.other_admin).search([]))
        self.assertEqual(john.name, "John Smith")

    def _conflict(self):
        self._import("contacts", FILE)
        john = self._partner("C2")
        john.street = "Hand St"
        batch = self._import("contacts", FILE.replace("2 Side St", "3 Side St"))
        self.assertEqual(batch.conflict_ids.mapped("file_value"), ["3 Side St"])
        return john, batch.conflict_ids.with_user(self.data_admin)

    def test_a_conflict_never_overwrites_a_later_edit(self):
        john, conflict = self._conflict()
        # After the conflict was listed, a person corrects the street again.
        john.street = "Newer St"
        with self.assertRaisesRegex(UserError, "Newer St"):
            conflict.action_apply_file_value()
        self.assertEqual(john.street, "Newer St")

    def test_a_conflict_a_later_import_superseded_is_not_applied(self):
        john, conflict = self._conflict()
        later = self._import("contacts", FILE.replace("2 Side St", "4 Side St"))
        self.assertEqual(later.conflict_ids.mapped("file_value"), ["4 Side St"])
        with self.assertRaisesRegex(UserError, "4 Side St"):
            conflict.action_apply_file_value()
        self.assertEqual(john.street, "Hand St")
        later.conflict_ids.with_user(self.data_admin).action_apply_file_value()
        self.assertEqual(john.street, "4 Side St")

    def test_invisible_characters_never_make_another_key(self):
        self._import("contacts", FILE)
        # Two exports pasted together leave a BOM before a row; a zero-width
        # space or a bidi mark in an id is invisible in every editor.
        again = self._import(
            "contacts",
            CONTACTS
            + "\ufeff"
            + JOHN.replace("2 Side St", "3 Side St")
            + "\r\n"
            + JOHN.replace("C2,", "C2\u200b\u202e,").replace("2 Side", "3 Side")
            + "\r\n",
        )
        self.assertEqual(self._partner("C2").street, "3 Side St")
        self.assertEqual(
            self.env["res.partner"].search_count([("name", "=", "John Smith")]), 1
        )
        self.assertFalse(again.rows_created)
        online = self._import(
            "online", ONLINE + "P1,\u200bC2,2026-01-02,10.00,Purchase,Alarm\r\n"
        )
        self.assertFalse(online.rows_unlinked)
        purchase = self.env["contoso.purchase"].search([("source_ref", "=", "P1")])
        self.assertEqual(purchase.partner_id, self._partner("C2"))

    def test_a_web_purchase_never_links_to_another_companys_contact(self):
        private = self.env["res.partner"].create(
            {"name": "Private Pat", "contoso_contact_ref": "C9"}
        )
        private.company_id = self.env.company
        online = ONLINE + "P9,C9,2026-01-02,10.00,Purchase,Alarm\r\n"
        batch = self._import("online", online, user=self.other_admin)
        # Neither linked nor told that company A has a contact C9.
        self.assertEqual((batch.rows_created, batch.rows_unlinked), (1, 1))
        purchase = self.env["contoso.purchase"].search([("source_ref", "=", "P9")])
        self.assertFalse(purchase.partner_id)
        # The contact arrives later, its company's: still not linked.
        self.env["contoso.purchase"]._relink(contact_refs=["C9"])
        self.assertFalse(purchase.partner_id)

    def test_what_the_server_knows_of_a_file_is_never_the_clients(self):
        data = FILE.encode()
        batch = (
            self.env["contoso.import.batch"]
            .with_user(self.data_admin)
            .create(
                {
                    "source": "contacts",
                    "filename": "file.csv",
                    "file": base64.b64encode(data),
                    "checksum": "0" * 64,
                    "detected": "utf-8, comma-separated, columns forged",
                    "ignored_columns": "Forged",
                }
            )
        )
        self.assertEqual(batch.checksum, hashlib.sha256(data).hexdigest())
        self.assertFalse(batch.detected or batch.ignored_columns)


class TestInvisibleCharacters(BaseCase):
    def test_an_email_loses_its_invisible_characters(self):
        # Else e-mail matching misses the contact the address belongs to.
        self.assertEqual(
            normalise_email("\ufeff Jane.Doe\u200b@Example.COM\u2060 "),
            "jane.doe@example.com",
        )
