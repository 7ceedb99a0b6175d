import base64
import csv
import io

from odoo.tests import new_test_user

from .common import ContosoCase

# What distinguishes two partners besides their values.
IDENTITY_FIELDS = {"id", "create_date", "write_date", "contoso_contact_ref"}


def stored_values(partner):
    """Every stored field of a partner, comparable with another partner's:
    itself as "itself", relations as sorted ids (imported vs create())."""
    values = {}
    for name, field in partner._fields.items():
        if not field.store or field.type == "one2many" or name in IDENTITY_FIELDS:
            continue
        value = partner[name]
        if field.type == "many2one" and value == partner:
            value = "itself"
        elif field.relational:
            value = sorted(value.ids)
        values[name] = value
    return values


# A 2x2 PNG: a partner's picture.
PICTURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDA"
    "xMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)
CONTACTS = (
    "ContactId,FirstName,LastName,FullName,EMail,DateOfBirth,CreatedOn,PostCode,"
    "State,StreetAddress,City,Country\r\n"
)
LOYALTY = "LoyaltyId,FullName,EMail,DateOfBirth,CreatedOn,RewardPoints,ContactId\r\n"
ONLINE = "PurchaseId,ContactId,PurchasedOn,TotalPrice,ActivityTypeDisplay,Subject\r\n"
POS = (
    "PurchaseId,LoyaltyId,PurchasedOn,TotalPrice,RewardPointsAdded,"
    "ActivityTypeDisplay,Subject\r\n"
)


class DataHubCase(ContosoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data_admin = cls._role_user("data admin")

    def _import(self, source, text, filename="file.csv", dry_run=False, user=None):
        data = text if isinstance(text, bytes) else text.encode()
        wizard = (
            self.env["contoso.import.wizard"]
            .with_user(user or self.data_admin)
            .create(
                {
                    "source": source,
                    "file": base64.b64encode(data),
                    "filename": filename,
                    "dry_run": dry_run,
                }
            )
        )
        action = wizard.action_import()
        return self.env["contoso.import.batch"].browse(action["res_id"])

    def _counts(self, batch):
        return (
            batch.rows_total,
            batch.rows_created,
            batch.rows_updated,
            batch.rows_unchanged,
            batch.rows_failed,
        )

    def _partner(self, ref):
        return self.env["res.partner"].search([("contoso_contact_ref", "=", ref)])

    def _error_rows(self, batch):
        text = base64.b64decode(batch.error_file).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))


class FrenchDataHubCase(DataHubCase):
    """With French installed and a data administrator who works in French."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_and_install_lang("fr_FR")
        cls.french_admin = new_test_user(
            cls.env,
            login="t_french_dana",
            name="Danièle",
            lang="fr_FR",
            groups="base.group_user,contoso_sales.group_data_admin",
        )

    def _store_old_words(self, words_by_card):
        """Cards as 19.0.1.2.0 left them: English words in the match_reason
        column, no codes ({card: words or None})."""
        self.env.cr.execute(
            "ALTER TABLE contoso_loyalty_member "
            "ADD COLUMN IF NOT EXISTS match_reason varchar"
        )
        for card, words in words_by_card.items():
            self.env.cr.execute(
                "UPDATE contoso_loyalty_member SET match_reason = %s, "
                "match_reason_data = NULL WHERE id = %s",
                [words, card.id],
            )
