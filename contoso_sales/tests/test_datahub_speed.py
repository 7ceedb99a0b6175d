"""What keeps the data hub fast without changing what it writes: a row equal
to its last import is recognised before it is cleaned, and the loyalty
matching reads only the contacts it compares a member with."""

from unittest.mock import patch

from odoo.tests import tagged

from ..datahub import reader
from ..models import contoso_loyalty_member
from .datahub_common import CONTACTS, LOYALTY, ONLINE, DataHubCase

PURCHASES = [
    "P1,C1,2026-01-05,12.50,Purchase,Camera",
    "P2,C1,2026-01-06,99.00,Purchase,Siren",
    "P3,C404,2026-01-07,5.00,Purchase,Batteries",
]


def counting_clean(cleaned):
    """Source.clean_row as it is, noting the key of each row it cleans."""
    original = reader.Source.clean_row

    def clean_row(source, values, today=None):
        cleaned.append(values[source.key])
        return original(source, values, today)

    return clean_row


@tagged("post_install", "-at_install")
class TestDataHubSpeed(DataHubCase):
    def setUp(self):
        super().setUp()
        self._import("contacts", CONTACTS + "C1,Ann,Lee,,ann@example.com,,,,,,,\r\n")

    def _import_counting(self, source, text):
        cleaned = []
        with patch.object(reader.Source, "clean_row", counting_clean(cleaned)):
            batch = self._import(source, text)
        return batch, cleaned

    def test_the_same_rows_shuffled_are_not_cleaned_again(self):
        first = self._import("online", ONLINE + "\r\n".join(PURCHASES) + "\r\n")
        self.assertEqual(self._counts(first), (3, 3, 0, 0, 0))
        shuffled = ONLINE + "\r\n".join(reversed(PURCHASES)) + "\r\n"
        batch, cleaned = self._import_counting("online", shuffled)
        self.assertEqual(self._counts(batch), (3, 0, 0, 3, 0))
        self.assertEqual(cleaned, [], "unchanged rows never reach the cleaning")
        # The unknown ContactId is still reported on the skipped row.
        self.assertEqual(batch.rows_unlinked, 1)
        self.assertIn("C404", self._error_rows(batch)[1][-1])

    def test_a_changed_row_is_cleaned_and_written(self):
        self._import("online", ONLINE + "\r\n".join(PURCHASES) + "\r\n")
        changed = [PURCHASES[0].replace("12.50", "13.50"), *PURCHASES[1:]]
        batch, cleaned = self._import_counting(
            "online", ONLINE + "\r\n".join(changed) + "\r\n"
        )
        self.assertEqual(self._counts(batch), (3, 0, 1, 2, 0))
        self.assertEqual(cleaned, ["P1"])
        purchase = self.env["contoso.purchase"].search([("source_ref", "=", "P1")])
        self.assertEqual(purchase.amount_total, 13.5)

    def test_a_row_written_differently_is_hashed_once_then_skipped(self):
        self._import("online", ONLINE + "\r\n".join(PURCHASES) + "\r\n")
        # The same values, written as another export writes them.
        other = ["P1,C1,01/05/2026,12.5,Purchase,Camera", *PURCHASES[1:]]
        text = ONLINE + "\r\n".join(other) + "\r\n"
        batch, cleaned = self._import_counting("online", text)
        self.assertEqual(self._counts(batch), (3, 0, 0, 3, 0))
        self.assertEqual(cleaned, ["P1"])
        batch, cleaned = self._import_counting("online", text)
        self.assertEqual(self._counts(batch), (3, 0, 0, 3, 0))
        self.assertEqual(cleaned, [])

    def test_a_key_repeated_in_the_file_ends_with_its_last_row(self):
        self._import("online", ONLINE + PURCHASES[0] + "\r\n")
        # The last row is the one last imported: it must not be skipped after
        # the first one changed the purchase.
        changed = PURCHASES[0].replace("12.50", "20.00")
        self._import("online", ONLINE + changed + "\r\n" + PURCHASES[0] + "\r\n")
        purchase = self.env["contoso.purchase"].search([("source_ref", "=", "P1")])
        self.assertEqual(purchase.amount_total, 12.5)

    def _import_in_chunks_of_two(self, source, text):
        """Import with chunks of two rows, noting the queries that read the
        hashes of the last imports of purchases."""
        param = self.env["ir.config_parameter"].sudo()
        param.set_param("contoso_sales.import_chunk_rows", 2)
        queries = []
        cursor_class = type(self.env.cr)
        original = cursor_class.execute

        def execute(cr, query, params=None, *args, **kwargs):
            if "source_ref, row_hash" in str(query):
                queries.append(str(query))
            return original(cr, query, params, *args, **kwargs)

        with patch.object(cursor_class, "execute", execute):
            batch = self._import(source, text)
        return batch, queries

    def test_a_large_re_import_reads_the_last_imports_once(self):
        rows = [f"P{i},C1,2026-01-0{i},{i}.00,Purchase,Camera" for i in range(1, 7)]
        self._import("online", ONLINE + "\r\n".join(rows) + "\r\n")
        shuffled = ONLINE + "\r\n".join(reversed(rows)) + "\r\n"
        batch, queries = self._import_in_chunks_of_two("online", shuffled)
        self.assertEqual(self._counts(batch), (6, 0, 0, 6, 0))
        # Three chunks, one read of the last imports: not one per chunk.
        self.assertEqual(len(queries), 1, queries)

    def test_a_key_written_in_an_earlier_chunk_is_not_skipped_later(self):
        self._import("online", ONLINE + PURCHASES[0] + "\r\n")
        # The first chunk changes P1; the second brings P1 back to the row
        # last imported before this file: it is the file's last word on P1,
        # and must be written, not skipped as equal to what was read before.
        changed = PURCHASES[0].replace("12.50", "20.00")
        text = ONLINE + "\r\n".join([changed, *PURCHASES[1:], PURCHASES[0]]) + "\r\n"
        batch, _queries = self._import_in_chunks_of_two("online", text)
        self.assertEqual(batch.rows_done, 4)
        purchase = self.env["contoso.purchase"].search([("source_ref", "=", "P1")])
        self.assertEqual(purchase.amount_total, 12.5)

    def test_imported_tables_index_only_what_is_looked_up(self):
        # Every index is written for every row an import inserts: the company
        # and the channel are served by the unique (company_id, ...) indexes,
        # empty refs and members linked automatically are never looked up.
        self.env.cr.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename IN ('contoso_purchase', 'contoso_loyalty_member')"
        )
        indexes = dict(self.env.cr.fetchall())
        self.assertFalse(
            indexes.keys()
            & {
                "contoso_purchase__channel_index",
                "contoso_purchase__company_id_index",
                "contoso_purchase__partner_id_index",
                "contoso_loyalty_member__company_id_index",
                "contoso_loyalty_member__match_state_index",
            }
        )
        for name in (
            "contoso_purchase__contact_ref_index",
            "contoso_purchase__loyalty_ref_index",
            "contoso_loyalty_member__contact_ref_index",
            "contoso_loyalty_member_match_open_idx",
            "contoso_purchase_source_ref_uniq",
            "contoso_loyalty_member_loyalty_ref_uniq",
        ):
            self.assertIn(name, indexes)
        for name in (
            "contoso_purchase__contact_ref_index",
            "contoso_purchase__loyalty_ref_index",
            "contoso_loyalty_member__contact_ref_index",
            "contoso_loyalty_member_match_open_idx",
        ):
            self.assertIn(" WHERE ", indexes[name], name)

    def test_upgrade_drops_the_indexes_odoo_made_before(self):
        # A database installed before keeps the indexes Odoo made for these
        # fields; the model's init, which Odoo runs on upgrade, drops them.
        old = ("channel", "company_id", "partner_id")
        for column in old:
            self.env.cr.execute(
                f"CREATE INDEX contoso_purchase__{column}_index "
                f"ON contoso_purchase ({column})"
            )
        self.env["contoso.purchase"].init()
        self.env.cr.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'contoso_purchase'"
        )
        indexes = {name for (name,) in self.env.cr.fetchall()}
        for column in old:
            self.assertNotIn(f"contoso_purchase__{column}_index", indexes)

    def test_totals_read_a_customers_purchases_through_one_index(self):
        # The totals' trigger looks up each touched customer's purchases of
        # one company. With an index on the partner alone, PostgreSQL ANDed
        # it with the company's whole range of the unique index, once per
        # customer: a shop import's statements grew with the purchases
        # already in the company (47 s for 50,000 rows instead of 3).
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'contoso_purchase' "
            "AND indexname = 'contoso_purchase_partner_company_idx'"
        )
        self.assertIn("(partner_id, company_id)", self.env.cr.fetchone()[0])
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute(
            """
            EXPLAIN SELECT p.partner_id, COUNT(*) FROM contoso_purchase p
              JOIN unnest(%s::int[], %s::int[]) AS k (partner_id, company_id)
                ON k.partner_id = p.partner_id AND k.company_id = p.company_id
             GROUP BY p.partner_id
            """,
            [[self.env.user.partner_id.id], [self.env.company.id]],
        )
        plan = "\n".join(line for (line,) in self.env.cr.fetchall())
        self.assertIn("contoso_purchase_partner_company_idx", plan)
        self.assertNotIn("BitmapAnd", plan)

    def test_unchanged_contacts_and_members_are_not_cleaned_again(self):
        contacts = CONTACTS + "C1,Ann,Lee,,ann@example.com,,,,,,,\r\n"
        members = LOYALTY + "L1,Ann Lee,ann@example.com,,,10,\r\n"
        self._import("loyalty", members)
        for source, text in (("contacts", contacts), ("loyalty", members)):
            batch, cleaned = self._import_counting(source, text)
            self.assertEqual(self._counts(batch), (1, 0, 0, 1, 0), source)
            self.assertEqual(cleaned, [], source)

    def test_matching_reads_only_the_contacts_it_compares(self):
        # Fifty namesakes born the same day: the member's e-mail finds its
        # contact, so none of them is a candidate and none is read.
        namesakes = "".join(
            f"N{i},Ann,Lee,,ann{i}@example.com,1980-05-06,,,,,,\r\n" for i in range(50)
        )
        self._import("contacts", CONTACTS + namesakes)
        read = []
        original = contoso_loyalty_member.ContactIndex

        def index(contacts, **kwargs):
            contacts = list(contacts)
            read.append(len(contacts))
            return original(contacts, **kwargs)

        with patch.object(contoso_loyalty_member, "ContactIndex", index):
            self._import(
                "loyalty", LOYALTY + "L1,Ann Lee,ann@example.com,1980-05-06,,10,\r\n"
            )
        member = self.env["contoso.loyalty.member"].search([("loyalty_ref", "=", "L1")])
        self.assertEqual(member.partner_id, self._partner("C1"))
        self.assertEqual(read, [1])
