"""Red team of the Customer 360 totals kept by statement triggers
(models/contoso_purchase_totals.py): after any statement that writes
purchases, whatever the path, contoso_purchase_total equals SUMS grouped over
the purchases with a customer."""

import io
from unittest.mock import patch

from odoo.fields import Command
from odoo.tests import tagged

from .datahub_common import CONTACTS, LOYALTY, ONLINE, POS, DataHubCase
from .test_customer360_totals import LIVE_TOTALS, add_second_company


@tagged("post_install", "-at_install")
class TestCustomer360TotalsRedTeam(DataHubCase):
    def setUp(self):
        super().setUp()
        self._import(
            "contacts",
            CONTACTS
            + "".join(
                f"C{n},First{n},Last{n},,c{n}@example.com,1980-05-06,,,,,,\r\n"
                for n in range(1, 6)
            ),
        )
        self._import(
            "loyalty",
            LOYALTY
            + "LOYID_1,First1 Last1,,,,120,C1\r\n"
            + "LOYID_2,First2 Last2,,,,80,C2\r\n",
        )
        self._import(
            "online",
            ONLINE
            + "W1,C1,2021-03-04,100.00,Purchase,Doorbell\r\n"
            + "W2,C1,2022-06-01,50.50,Purchase,Sensor\r\n"
            + "W3,C2,2022-07-01,70.00,Purchase,Camera\r\n"
            + "W4,C3,2023-02-01,20.00,Purchase,Siren\r\n"
            + "W5,C3,2019-02-01,0.00,Purchase,Free\r\n",
        )
        self._import(
            "pos",
            POS
            + "S1,LOYID_1,2020-12-24,30,3,Purchase,Alarm\r\n"
            + "S2,LOYID_2,2024-01-02,45,3,Purchase,Alarm\r\n",
        )
        self.c = {n: self._partner(f"C{n}") for n in range(1, 6)}
        add_second_company(self)
        self.data_admin.company_ids = [Command.link(self.company_b.id)]
        self.both = (self.company | self.company_b).ids
        self._check("setup")

    def _check(self, step):
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(LIVE_TOTALS)
        live = {(r[0], r[1]): tuple(r[2:]) for r in cr.fetchall()}
        cr.execute(
            "SELECT partner_id, company_id, spend_web, spend_shop, purchase_count,"
            " first_date, last_date FROM contoso_purchase_total"
        )
        stored = {(r[0], r[1]): tuple(r[2:]) for r in cr.fetchall()}
        wrong = {
            key: (live.get(key), stored.get(key))
            for key in live.keys() | stored.keys()
            if live.get(key) != stored.get(key)
        }
        self.assertEqual(wrong, {}, f"{step}: (live, stored) differ")

    def _purchases(self, user=None):
        return (
            self.env["contoso.purchase"]
            .with_user(user or self.data_admin)
            .with_context(allowed_company_ids=self.both)
        )

    def _vals(self, ref, partner, day, amount, company=None, currency=None, **kw):
        company = company or self.company
        return {
            "channel": kw.pop("channel", "online"),
            "source_ref": ref,
            "partner_id": partner.id if partner else False,
            "date": day,
            "company_id": company.id,
            "currency_id": (currency or company.currency_id).id,
            "amount_total": amount,
            **kw,
        }

    # -- ORM ------------------------------------------------------------------

    def test_orm_batches_as_data_admin(self):
        Purchase = self._purchases()
        c1, c2, c3, c4 = self.c[1], self.c[2], self.c[3], self.c[4]
        b = self.company_b
        created = Purchase.create(
            [
                self._vals("O1", c1, "2018-01-01", 10, b),
                self._vals("O2", c1, "2030-01-01", 0, b, self.company.currency_id),
                self._vals("O3", c2, "2021-01-01", 5, channel="pos"),
                self._vals("O4", False, "2021-01-01", 7),
                self._vals("O5", c4, "2022-01-01", 9, b, channel="pos"),
                self._vals("O6", c4, "2022-01-02", 0.01),
            ]
        )
        self._check("ORM create in two companies, currencies, 0, no partner")
        # Move between partners and companies in one write.
        created[:3].write({"partner_id": c3.id, "company_id": self.company.id})
        self._check("moved to another partner and company")
        created[3:5].write({"partner_id": c1.id, "company_id": b.id})
        self._check("no partner -> partner, company -> b")
        for purchase in created:  # one currency per write (Monetary)
            purchase.write({"amount_total": 3})
        self._check("amount only")
        created[0].write({"date": "2000-01-01"})
        created[1].write({"date": "2039-12-31"})
        self._check("date only: earliest and latest")
        created[1].write({"date": "2025-01-01"})
        self._check("latest moves back")
        created.write({"partner_id": False})
        self._check("partner False")
        created.write({"partner_id": c2.id})
        self._check("partner back")
        # Different values per record: one UPDATE ... FROM (VALUES ...).
        for n, purchase in enumerate(created):
            purchase.amount_total = n * 1.5
            purchase.date = f"201{n}-02-03"
            purchase.partner_id = (c1, c2, c3, False, c4, c1)[n]
        self._check("per-record values flushed at once")
        created.write({"channel": "pos"})
        self._check("channel online -> pos")
        # Existing imported purchases too: every purchase of C1 and C3.
        all_of = Purchase.search([("partner_id", "in", (c1 | c3).ids)])
        all_of.write({"partner_id": self.c[5].id})
        self._check("all purchases of two customers moved to a third")
        all_of[:2].unlink()
        self._check("unlink two")
        Purchase.search([("partner_id", "=", self.c[5].id)]).unlink()
        self._check("unlink the customer's last purchases")
        created.exists().unlink()
        self._check("unlink the rest")

    def test_company_archive_and_currency_change(self):
        Purchase = self._purchases()
        b = self.company_b
        self.env.ref("base.GBP").active = True
        Purchase.create(
            [
                self._vals("R1", self.c[1], "2021-06-01", 100, b),
                self._vals(
                    "R2", self.c[1], "2021-06-01", 100, b, self.env.ref("base.GBP")
                ),
                self._vals("R3", self.c[2], "2019-06-01", 100, currency=self.other),
            ]
        )
        self._check("foreign purchases")
        rate = self.env["res.currency.rate"].create(
            {"currency_id": self.other.id, "rate": 3.0, "name": "2021-01-01"}
        )
        self._check("rate created")
        rate.rate = 5.0
        self._check("rate changed")
        rate.name = "2018-01-01"
        self._check("rate moved earlier")
        rate.unlink()
        self._check("rate deleted")
        b.currency_id = self.company.currency_id
        self._check("company currency changed")
        self.c[1].active = False
        self._check("customer archived")

    # -- Raw SQL --------------------------------------------------------------

    def _raw(self, query, **params):
        self.env.flush_all()
        params.setdefault("c", self.company.id)
        params.setdefault("cur", self.company.currency_id.id)
        self.env.cr.execute(query, params)
        self.env.invalidate_all()

    def test_raw_sql_upserts_ctes_and_merge(self):
        c1, c2, c4, c5 = self.c[1].id, self.c[2].id, self.c[4].id, self.c[5].id
        # Upsert: W3 (C2) moves to C5, a new customer, which gets a new
        # purchase too; W1 (C1) changes date to the latest; a new C1 purchase.
        self._raw(
            """
            INSERT INTO contoso_purchase AS t (channel, source_ref, partner_id,
                date, amount_total, company_id, currency_id, points_added)
            VALUES ('online', 'W3', %(c5)s, '2010-01-01', 1, %(c)s, %(cur)s, 0),
                   ('online', 'N1', %(c5)s, '2035-01-01', 2, %(c)s, %(cur)s, 0),
                   ('online', 'W1', %(c1)s, '2036-01-01', 3, %(c)s, %(cur)s, 0),
                   ('online', 'N2', %(c1)s, '2005-01-01', 4, %(c)s, %(cur)s, 0)
            ON CONFLICT (company_id, channel, source_ref) DO UPDATE
               SET partner_id = EXCLUDED.partner_id, date = EXCLUDED.date,
                   amount_total = EXCLUDED.amount_total
            """,
            c1=c1,
            c5=c5,
        )
        self._check("upsert: moved into a new customer that gets a new row")
        # An upsert whose update does nothing (WHERE false) and inserts.
        self._raw(
            """
            INSERT INTO contoso_purchase AS t (channel, source_ref, partner_id,
                date, amount_total, company_id, currency_id, points_added)
            VALUES ('online', 'W2', %(c4)s, '2001-01-01', 9, %(c)s, %(cur)s, 0),
                   ('online', 'N3', %(c4)s, '2001-01-01', 9, %(c)s, %(cur)s, 0)
            ON CONFLICT (company_id, channel, source_ref) DO UPDATE
               SET amount_total = EXCLUDED.amount_total WHERE false
            """,
            c4=c4,
        )
        self._check("upsert with skipped update")
        # Writable CTEs: delete and insert the same customer in one statement.
        self._raw(
            """
            WITH gone AS (
                DELETE FROM contoso_purchase WHERE partner_id = %(c1)s
                RETURNING *)
            INSERT INTO contoso_purchase (channel, source_ref, partner_id, date,
                amount_total, company_id, currency_id, points_added)
            SELECT channel, source_ref || 'X', partner_id, date + 1,
                   amount_total + 1, company_id, currency_id, 0
              FROM gone
            """,
            c1=c1,
        )
        self._check("CTE delete + insert of the same customer")
        self._raw(
            """
            WITH moved AS (
                UPDATE contoso_purchase SET partner_id = %(c2)s, date = '1999-01-01'
                 WHERE partner_id = %(c1)s RETURNING *)
            INSERT INTO contoso_purchase (channel, source_ref, partner_id, date,
                amount_total, company_id, currency_id, points_added)
            SELECT channel, source_ref || 'Y', %(c1)s, '2038-01-01', 1,
                   company_id, currency_id, 0
              FROM moved
            """,
            c1=c1,
            c2=c2,
        )
        self._check("CTE update + insert")
        self._raw(
            """
            WITH a AS (UPDATE contoso_purchase SET amount_total = amount_total + 1
                        WHERE partner_id = %(c2)s RETURNING id)
            UPDATE contoso_purchase SET partner_id = %(c4)s
             WHERE partner_id = %(c5)s
            """,
            c2=c2,
            c4=c4,
            c5=c5,
        )
        self._check("two UPDATE CTEs on the table")
        # MERGE (PostgreSQL 15): update, delete and insert in one statement.
        self._raw(
            """
            MERGE INTO contoso_purchase t
            USING (VALUES ('W4', %(c2)s, 'u'), ('W5', NULL, 'd'),
                          ('M1', %(c2)s, 'i')) s (ref, partner, op)
               ON t.source_ref = s.ref AND t.channel = 'online'
              AND t.company_id = %(c)s
            WHEN MATCHED AND s.op = 'd' THEN DELETE
            WHEN MATCHED THEN UPDATE SET partner_id = s.partner::integer,
                 date = '1990-01-01'
            WHEN NOT MATCHED THEN INSERT (channel, source_ref, partner_id, date,
                 amount_total, company_id, currency_id, points_added)
                 VALUES ('online', s.ref, s.partner::integer, '2037-01-01', 5,
                         %(c)s, %(cur)s, 0)
            """,
            c2=c2,
        )
        self._check("MERGE")
        # COPY fires the statement triggers too.
        self.env.flush_all()
        self.env.cr.copy_expert(
            "COPY contoso_purchase (channel, source_ref, partner_id, date,"
            " amount_total, company_id, currency_id, points_added) FROM STDIN"
            " WITH (FORMAT csv)",
            io.StringIO(
                f"online,K1,{c2},2002-02-02,1,{self.company.id},"
                f"{self.company.currency_id.id},0\n"
                f"pos,K2,{c4},2040-02-02,2,{self.company.id},"
                f"{self.company.currency_id.id},0\n"
            ),
        )
        self._check("COPY")

    def test_savepoints_rolled_back(self):
        c1 = self.c[1].id
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("SAVEPOINT a")
        cr.execute("UPDATE contoso_purchase SET partner_id = NULL")
        cr.execute("SAVEPOINT b")
        cr.execute("UPDATE contoso_purchase SET partner_id = %s", [c1])
        self._check("all to one")
        cr.execute("ROLLBACK TO SAVEPOINT b")
        self._check("rolled back to none")
        cr.execute("ROLLBACK TO SAVEPOINT a")
        self._check("rolled back to start")

    # -- Partners -------------------------------------------------------------

    def test_partner_merge_and_deletion(self):
        b = self.company_b
        self._purchases().create(
            [
                self._vals("P1", self.c[2], "2015-01-01", 10, b),
                self._vals("P2", self.c[3], "2045-01-01", 20, b),
                self._vals("P3", self.c[1], "2016-01-01", 30, b, channel="pos"),
            ]
        )
        self._check("before merge")
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_context(
                active_model="res.partner",
                active_ids=(self.c[1] | self.c[2] | self.c[3]).ids,
            )
            .create({"dst_partner_id": self.c[1].id})
        )
        wizard.action_merge()
        self._check("three partners merged")
        # Two customers with purchases deleted in one statement: ON DELETE
        # SET NULL runs one cascaded UPDATE per partner.
        self._purchases().create(
            [
                self._vals("D1", self.c[4], "2011-01-01", 10, b),
                self._vals("D2", self.c[5], "2012-01-01", 20),
                self._vals("D3", self.c[1], "2013-01-01", 30),
            ]
        )
        self._check("before delete")
        doomed = self.c[1] | self.c[4] | self.c[5]
        self.env["contoso.loyalty.member"].search(
            [("partner_id", "in", doomed.ids)]
        ).unlink()
        doomed.unlink()
        self._check("three partners deleted in one statement (SET NULL)")

    # -- Import ---------------------------------------------------------------

    def test_import_reimports_moves_repeats_and_errors(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "contoso_sales.import_chunk_rows", 3
        )
        # Chunks of 3: updates and inserts of the same customer, a move to
        # another customer, to an unknown one (no partner), a key repeated in
        # a chunk and across chunks, a row error.
        text = ONLINE + (
            "W1,C1,2021-03-04,101.00,Purchase,Doorbell\r\n"
            "W6,C1,2010-01-01,1.00,Purchase,Early\r\n"
            "W3,C1,2040-01-01,70.00,Purchase,Camera\r\n"
            "W2,C9,2022-06-01,50.50,Purchase,Sensor\r\n"
            "W6,C2,2041-01-01,2.00,Purchase,Early again\r\n"
            "W7,C2,bad-date,2.00,Purchase,Broken\r\n"
            "W4,C1,2023-02-01,20.00,Purchase,Siren\r\n"
            "W4,C3,2023-02-02,21.00,Purchase,Siren again\r\n"
            "W8,C3,2023-02-02,0,Purchase,Zero\r\n"
        )
        self._import("online", text, dry_run=True)
        self._check("dry run")
        batch = self._import("online", text)
        self.assertTrue(batch.rows_failed)
        self._check("re-import in chunks")
        self._import(
            "pos",
            POS
            + "S1,LOYID_2,2020-12-24,30,3,Purchase,Alarm\r\n"
            + "S3,LOYID_1,2001-12-24,5,3,Purchase,Alarm\r\n"
            + "S2,LOYID_9,2024-01-02,45,3,Purchase,Alarm\r\n",
        )
        self._check("pos re-import: moved, new, to an unknown member")
        # The member imported later: its purchase is linked then.
        self._import("loyalty", LOYALTY + "LOYID_9,First5 Last5,,,,1,C5\r\n")
        self._check("member imported after its purchase")
        # A member moved to another contact.
        self._import("loyalty", LOYALTY + "LOYID_1,First4 Last4,,,,120,C4\r\n")
        self._check("member moved to another contact")
        self._import(
            "contacts",
            CONTACTS + "C9,First9,Last9,,c9@example.com,1980-05-06,,,,,,\r\n",
        )
        self._check("contact imported after its purchases")

    def test_import_row_by_row_retry_after_a_failed_chunk(self):
        Batch = self.registry["contoso.import.batch"]
        original = Batch._upsert_sql
        calls = []

        def failing(batch, records, *args):
            returned = original(batch, records, *args)
            calls.append(len(records))
            if len(records) > 1:
                # The chunk's upsert ran (and its triggers): then it fails.
                raise ValueError("chunk fails after its upsert")
            return returned

        with patch.object(Batch, "_upsert_sql", failing):
            self._import(
                "online",
                ONLINE
                + "W1,C2,2021-03-04,111.00,Purchase,Doorbell\r\n"
                + "W9,C1,2009-01-01,9.00,Purchase,New\r\n"
                + "W5,C1,2045-01-01,5.00,Purchase,Moved\r\n",
            )
        self.assertGreater(len(calls), 1)
        self._check("row by row after a failed chunk")
