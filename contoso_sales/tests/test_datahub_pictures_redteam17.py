"""Red-team (rt17b) of 9abff44: the contacts import drops the resized-picture
computes of contacts it creates without a picture. Every imported contact must
still be what res.partner.create() makes with the same values."""

from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.service.model import get_public_method
from odoo.tests import tagged

from .datahub_common import CONTACTS, PICTURE, DataHubCase, stored_values

ANN = "C1,Ann,Lee,,ann@example.com,,,,,,,\r\n"
IMAGES = ["image_1920", "image_1024", "image_512", "image_256", "image_128"]
RESIZED = IMAGES[1:]


def _db_attachments(env, partner):
    env.flush_all()
    env.cr.execute(
        "SELECT res_field FROM ir_attachment WHERE res_model = 'res.partner' "
        "AND res_id = %s AND res_field IS NOT NULL ORDER BY res_field",
        [partner.id],
    )
    return [name for (name,) in env.cr.fetchall()]


def _read_then_remove(*names, give=False):
    """A create override (`_patched_create`) that reads the partners' `names`
    (computing and storing their resized copies), then removes the picture;
    with `give`, it gives them a picture first."""

    def after(records):
        if give:
            records.write({"image_1920": PICTURE})
        for record in records:
            for name in names:
                record[name]  # noqa: B018 - e.g. a notification, a sync
        records.write({"image_1920": False})

    return after


@tagged("post_install", "-at_install")
class TestBulkPicturesRedTeam17(DataHubCase):
    def _patched_create(self, after):
        """Another app's res.partner.create override: runs `after(records)`
        once super() has created them."""
        Partner = type(self.env["res.partner"])
        original = Partner.create

        def create(model, vals_list):
            records = original(model, vals_list)
            after(records)
            return records

        create._api_model_create_multi = True  # noqa: SLF001 (decorator flag)
        return patch.object(Partner, "create", create)

    def _made(self, name="Made Here"):
        return (
            self.env["res.partner"]
            .with_user(self.data_admin)
            .create([{"name": name, "email": "made@example.com"}])
        )

    def _compare(self, imported, made):
        self.env.flush_all()
        self.env.invalidate_all()
        got = {n: bool(imported[n]) for n in IMAGES}
        expected = {n: bool(made[n]) for n in IMAGES}
        self.assertEqual(got, expected)
        for n in IMAGES:
            self.assertEqual(imported[n], made[n], n)
        self.assertEqual(
            _db_attachments(self.env, imported), _db_attachments(self.env, made)
        )

    # 1. Another app's create override gives a picture after super().
    def test_override_sets_picture_after_super(self):
        def give(records):
            records.write({"image_1920": PICTURE})

        with self._patched_create(give):
            self._import("contacts", CONTACTS + ANN)
            made = self._made()
        imported = self._partner("C1")
        self.assertTrue(imported.image_128)
        self._compare(imported, made)

    # 2. Override gives a picture, something reads the avatar (computes and
    #    stores image_128 etc.), then the picture is removed again in create.
    def test_override_gives_then_removes_picture_after_avatar_read(self):
        give_then_take = _read_then_remove("avatar_128", "image_1024", give=True)
        with self._patched_create(give_then_take):
            self._import("contacts", CONTACTS + ANN)
            made = self._made()
        imported = self._partner("C1")
        self._compare(imported, made)

    # 2b. Same with the picture coming from an ir.default.
    def test_default_picture_removed_by_override_after_avatar_read(self):
        self.env["ir.default"].set("res.partner", "image_1920", PICTURE)

        with self._patched_create(_read_then_remove("image_128")):
            self._import("contacts", CONTACTS + ANN)
            made = self._made()
        imported = self._partner("C1")
        self._compare(imported, made)

    # 3. A picture written later in the same transaction, before any flush.
    def test_picture_written_after_import_before_flush(self):
        self._import("contacts", CONTACTS + ANN)
        imported = self._partner("C1")
        made = self._made()
        (imported | made).write({"image_1920": PICTURE})
        # cache first, same transaction
        for n in IMAGES + ["avatar_128"]:
            self.assertEqual(imported[n], made[n], n)
        self.assertTrue(imported.image_128)
        self._compare(imported, made)

    # 4. Cache vs database right after the import, same transaction.
    def test_cache_then_database_after_import(self):
        self._import("contacts", CONTACTS + ANN)
        imported = self._partner("C1")
        made = self._made("Ann Lee")
        for n in IMAGES + ["avatar_128", "avatar_1920"]:
            self.assertEqual(imported[n], made[n], n)
            self.assertEqual(
                imported.with_context(bin_size=True)[n],
                made.with_context(bin_size=True)[n],
                n,
            )
        self.env.flush_all()
        self.env.invalidate_all()
        for n in IMAGES + ["avatar_128", "avatar_1920"]:
            self.assertEqual(imported[n], made[n], n)

    # 5. A contact of a company that has a picture.
    def test_company_with_picture_and_contact(self):
        company = self.env["res.partner"].create(
            {"name": "Pictured Co", "is_company": True, "image_1920": PICTURE}
        )

        def attach(records):
            # e.g. an app linking new contacts to a company on create
            records.write({"parent_id": company.id})

        with self._patched_create(attach):
            self._import("contacts", CONTACTS + ANN)
            made = self._made()
        imported = self._partner("C1")
        self.assertEqual(imported.parent_id, company)
        self._compare(imported, made)

    # 6. The private method is refused over RPC.
    def test_bulk_create_is_not_callable_over_rpc(self):
        with self.assertRaises(AccessError):
            get_public_method(self.env["res.partner"], "_contoso_bulk_create")

    # Controls: the same two scenarios with the import creating through
    # _load_records_create (as before 9abff44): they must pass, so the
    # failures above come from the dropped computes.
    def _without_change(self):
        Partner = type(self.env["res.partner"])
        return patch.object(
            Partner,
            "_contoso_bulk_create",
            lambda model, vals_list: model._load_records_create(vals_list),
        )

    def test_control_give_then_remove_before_9abff44(self):
        with self._without_change():
            self.test_override_gives_then_removes_picture_after_avatar_read()

    def test_control_default_removed_before_9abff44(self):
        with self._without_change():
            self.test_default_picture_removed_by_override_after_avatar_read()

    # The stale copy in the database, spelled out.
    def test_stale_resized_copy_left_in_database(self):
        self.env["ir.default"].set("res.partner", "image_1920", PICTURE)

        with self._patched_create(_read_then_remove("image_128")):
            self._import("contacts", CONTACTS + ANN)
        imported = self._partner("C1")
        self.assertEqual(
            _db_attachments(self.env, imported),
            [],
            "a contact without picture keeps a resized copy of the removed one",
        )

    # Variant of test_imported_contact_is_the_partner_create_makes
    # (test_datahub_survivorship.py): every stored field, field by field, with
    # an app that gives a default picture and removes it in its create override
    # after something read the partner's avatar.
    def test_generic_equality_with_picture_removed_in_create(self):
        self.env["ir.default"].set("res.partner", "image_1920", PICTURE)

        with self._patched_create(_read_then_remove("avatar_128")):
            batch = self._import("contacts", CONTACTS + ANN)
            made = (
                self.env["res.partner"]
                .with_user(self.data_admin)
                .create([{"name": "Ann Lee", "email": "ann@example.com"}])
            )
        self.assertEqual(batch.state, "done")
        made.env.flush_all()
        self.env.invalidate_all()
        imported = self._partner("C1").sudo()
        expected, got = stored_values(made.sudo()), stored_values(imported)
        differences = {
            name: (bool(got[name]), bool(expected[name]))
            for name in expected
            if got[name] != expected[name]
        }
        self.assertEqual(differences, {}, "imported vs create(), field by field")
