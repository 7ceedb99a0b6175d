"""The shortcuts of a bulk partner create (res_partner_bulk.py) write what
Odoo's own create writes: the same defaults, the same company check."""

import itertools
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.res_partner_bulk import DEFAULTS_MEMO, DefaultsMemo
from .datahub_common import CONTACTS, PICTURE, DataHubCase


@tagged("post_install", "-at_install")
class TestBulkPartners(DataHubCase):
    def test_memoised_defaults_are_odoo_defaults(self):
        partners = self.env["res.partner"].with_user(self.data_admin)
        names = list(partners._fields)
        plain = partners.default_get(names)
        memoised = partners.with_context(**{DEFAULTS_MEMO: DefaultsMemo()})
        first, second = memoised.default_get(names), memoised.default_get(names)
        self.assertEqual(first, plain)
        self.assertEqual(second, plain, "served from the memo, the same values")
        second["category_id"] = "changed"
        self.assertEqual(memoised.default_get(names), plain, "each call its own copy")

    def test_a_default_that_changes_per_record_is_resolved_per_record(self):
        # A sequence-like default (another app's) must not be shared by the
        # partners of one import.
        counter = itertools.count(1)
        field = self.env["res.partner"]._fields["ref"]
        with patch.object(field, "default", lambda _model: f"R{next(counter)}"):
            self._import(
                "contacts",
                CONTACTS
                + "C1,Ann,Lee,,ann@example.com,,,,,,,\r\n"
                + "C2,Bob,Ray,,bob@example.com,,,,,,,\r\n",
            )
        refs = {self._partner("C1").ref, self._partner("C2").ref}
        self.assertEqual(len(refs), 2, refs)

    def test_company_check_of_a_bulk_create_still_refuses_another_company(self):
        other = self.env["res.company"].create({"name": "Contoso Other Co"})
        theirs = self.env["account.payment.term"].create(
            {"name": "Their 45 days", "company_id": other.id}
        )
        ours = self.env["account.payment.term"].create(
            {"name": "Our 30 days", "company_id": self.env.company.id}
        )
        partners = self.env["res.partner"]
        vals = [
            {"name": f"Alike {n}", "property_payment_term_id": ours.id}
            for n in range(3)
        ]
        self.assertEqual(len(partners.create(vals)), 3)
        with self.assertRaises(UserError) as caught:
            partners.create(
                [*vals, {"name": "Odd One", "property_payment_term_id": theirs.id}]
            )
        self.assertIn("Odd One", str(caught.exception))
        self.assertFalse(partners.search([("name", "=", "Odd One")]))

    def test_contacts_without_picture_are_not_resized(self):
        """Odoo resizes a partner's picture into four stored copies even when
        there is none; the import drops those computes for contacts without a
        picture, and they read as create() leaves them."""
        image = type(self.env["res.partner"]._fields["image_128"])
        with patch.object(
            image, "_image_process", autospec=True, side_effect=image._image_process
        ) as resized:
            self._import(
                "contacts",
                CONTACTS
                + "C1,Ann,Lee,,ann@example.com,,,,,,,\r\n"
                + "C2,Bob,Ray,,bob@example.com,,,,,,,\r\n",
            )
            self.env.flush_all()
        self.assertEqual(resized.call_count, 0)
        made = self.env["res.partner"].create({"name": "Made Here"})
        self.env.flush_all()
        self.env.invalidate_all()
        names = ["image_1920", "image_1024", "image_512", "image_256", "image_128"]
        for ref in ("C1", "C2"):
            self.assertEqual(
                self._partner(ref).read(names)[0] | {"id": 0},
                made.read(names)[0] | {"id": 0},
            )

    def test_a_picture_given_by_a_default_is_resized_as_create_does(self):
        self.env["ir.default"].set("res.partner", "image_1920", PICTURE)
        self._import("contacts", CONTACTS + "C1,Ann,Lee,,ann@example.com,,,,,,,\r\n")
        made = self.env["res.partner"].create({"name": "Made Here"})
        self.env.flush_all()
        self.env.invalidate_all()
        imported = self._partner("C1")
        self.assertTrue(imported.image_1920)
        for name in ("image_1024", "image_512", "image_256", "image_128"):
            self.assertTrue(imported[name], name)
            self.assertEqual(imported[name], made[name], name)
