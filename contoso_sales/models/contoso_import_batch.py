import base64
import contextlib
import csv
import hashlib
import io
import logging
import tempfile
from collections import Counter
from itertools import islice

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..datahub.normalise import CLEANERS, RowError
from ..datahub.reader import SOURCES, FileRefused, open_source
from ..datahub.sample import write_samples

_logger = logging.getLogger(__name__)

SOURCE_SELECTION = [
    ("contacts", "Contacts"),
    ("loyalty", "Loyalty members"),
    ("online", "Online purchases"),
    ("pos", "Shop purchases"),
]
COUNTRY_ALIASES = {"usa": "us", "united states of america": "us", "uk": "gb"}

# One temp table and one INSERT ... ON CONFLICT per source. The WHERE of the
# DO UPDATE skips rows whose values are all the same, so RETURNING lists only
# created (xmax = 0) and really updated rows: the rest are unchanged.
TEMP_TABLES = {
    "contacts": """
        CREATE TEMP TABLE IF NOT EXISTS contoso_import_contacts (
            ref varchar, name varchar, email varchar, email_norm varchar,
            name_key varchar, birthdate date, street varchar, zip varchar,
            city varchar, state_id int, country_id int, function varchar
        ) ON COMMIT DROP;
        TRUNCATE contoso_import_contacts
    """,
    "loyalty": """
        CREATE TEMP TABLE IF NOT EXISTS contoso_import_loyalty (
            ref varchar, name varchar, email varchar, email_norm varchar,
            name_key varchar, birthdate date, created_on date, points int,
            contact_ref varchar
        ) ON COMMIT DROP;
        TRUNCATE contoso_import_loyalty
    """,
    "online": """
        CREATE TEMP TABLE IF NOT EXISTS contoso_import_online (
            ref varchar, contact_ref varchar, date date, amount numeric,
            activity varchar, subject varchar
        ) ON COMMIT DROP;
        TRUNCATE contoso_import_online
    """,
    "pos": """
        CREATE TEMP TABLE IF NOT EXISTS contoso_import_pos (
            ref varchar, loyalty_ref varchar, date date, amount numeric,
            points_added int, activity varchar, subject varchar
        ) ON COMMIT DROP;
        TRUNCATE contoso_import_pos
    """,
}
TEMP_COLUMNS = {
    "contacts": (
        "ref",
        "name",
        "email",
        "email_norm",
        "name_key",
        "birthdate",
        "street",
        "zip",
        "city",
        "state_id",
        "country_id",
        "function",
    ),
    "loyalty": (
        "ref",
        "name",
        "email",
        "email_norm",
        "name_key",
        "birthdate",
        "created_on",
        "points",
        "contact_ref",
    ),
    "online": ("ref", "contact_ref", "date", "amount", "activity", "subject"),
    "pos": (
        "ref",
        "loyalty_ref",
        "date",
        "amount",
        "points_added",
        "activity",
        "subject",
    ),
}
COPY = {
    source: f"COPY contoso_import_{source} ({', '.join(cols)}) FROM STDIN "
    "WITH (FORMAT csv)"
    for source, cols in TEMP_COLUMNS.items()
}
UPSERT = {
    "contacts": """
        INSERT INTO res_partner AS t (
            contoso_contact_ref, name, complete_name, email, email_normalized,
            contoso_name_key, contoso_birthdate, street, zip, city, state_id,
            country_id, function, type, active, is_company, partner_share,
            autopost_bills, lang, create_uid, write_uid, create_date, write_date)
        SELECT ref, name, name, email, email_norm, name_key, birthdate, street, zip,
               city, state_id, country_id, function, 'contact', true, false, true,
               'ask', %(lang)s, %(uid)s, %(uid)s, %(now)s, %(now)s
          FROM contoso_import_contacts
        ON CONFLICT (contoso_contact_ref) WHERE contoso_contact_ref IS NOT NULL
        DO UPDATE SET name = EXCLUDED.name, complete_name = EXCLUDED.name,
            email = EXCLUDED.email, email_normalized = EXCLUDED.email_normalized,
            contoso_name_key = EXCLUDED.contoso_name_key,
            contoso_birthdate = EXCLUDED.contoso_birthdate,
            street = EXCLUDED.street, zip = EXCLUDED.zip, city = EXCLUDED.city,
            state_id = EXCLUDED.state_id, country_id = EXCLUDED.country_id,
            function = EXCLUDED.function, write_uid = EXCLUDED.write_uid,
            write_date = EXCLUDED.write_date
        WHERE (t.name, t.email, t.contoso_birthdate, t.street, t.zip, t.city,
               t.state_id, t.country_id, t.function)
              IS DISTINCT FROM
              (EXCLUDED.name, EXCLUDED.email, EXCLUDED.contoso_birthdate,
               EXCLUDED.street, EXCLUDED.zip, EXCLUDED.city, EXCLUDED.state_id,
               EXCLUDED.country_id, EXCLUDED.function)
        RETURNING id, (xmax = 0)
    """,
    "loyalty": """
        INSERT INTO contoso_loyalty_member AS t (
            loyalty_ref, name, email, email_norm, name_key, birthdate, created_on,
            points, contact_ref, create_uid, write_uid, create_date, write_date)
        SELECT ref, name, email, email_norm, name_key, birthdate, created_on,
               points, contact_ref, %(uid)s, %(uid)s, %(now)s, %(now)s
          FROM contoso_import_loyalty
        ON CONFLICT (loyalty_ref)
        DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
            email_norm = EXCLUDED.email_norm, name_key = EXCLUDED.name_key,
            birthdate = EXCLUDED.birthdate, created_on = EXCLUDED.created_on,
            points = EXCLUDED.points, contact_ref = EXCLUDED.contact_ref,
            write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
        WHERE (t.name, t.email, t.birthdate, t.created_on, t.points, t.contact_ref)
              IS DISTINCT FROM
              (EXCLUDED.name, EXCLUDED.email, EXCLUDED.birthdate,
               EXCLUDED.created_on, EXCLUDED.points, EXCLUDED.contact_ref)
        RETURNING id, (xmax = 0)
    """,
    # Purchases find their customer in the same statement: the partner of the
    # ContactId (web) or of the loyalty member (shop), if already known.
    "online": """
        INSERT INTO contoso_purchase AS t (
            channel, source_ref, contact_ref, partner_id, date, amount_total,
            activity_type, subject, points_added, company_id, currency_id,
            create_uid, write_uid, create_date, write_date)
        SELECT 'online', i.ref, i.contact_ref, rp.id, i.date, i.amount, i.activity,
               i.subject, 0, %(company)s, %(currency)s, %(uid)s, %(uid)s, %(now)s,
               %(now)s
          FROM contoso_import_online i
     LEFT JOIN res_partner rp ON rp.contoso_contact_ref = i.contact_ref
        ON CONFLICT (channel, source_ref)
        DO UPDATE SET contact_ref = EXCLUDED.contact_ref,
            partner_id = EXCLUDED.partner_id, date = EXCLUDED.date,
            amount_total = EXCLUDED.amount_total,
            activity_type = EXCLUDED.activity_type, subject = EXCLUDED.subject,
            write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
        WHERE (t.contact_ref, t.date, t.amount_total, t.activity_type, t.subject)
              IS DISTINCT FROM
              (EXCLUDED.contact_ref, EXCLUDED.date, EXCLUDED.amount_total,
               EXCLUDED.activity_type, EXCLUDED.subject)
        RETURNING id, (xmax = 0)
    """,
    "pos": """
        INSERT INTO contoso_purchase AS t (
            channel, source_ref, loyalty_ref, partner_id, date, amount_total,
            points_added, activity_type, subject, company_id, currency_id,
            create_uid, write_uid, create_date, write_date)
        SELECT 'pos', i.ref, i.loyalty_ref, m.partner_id, i.date, i.amount,
               i.points_added, i.activity, i.subject, %(company)s, %(currency)s,
               %(uid)s, %(uid)s, %(now)s, %(now)s
          FROM contoso_import_pos i
     LEFT JOIN contoso_loyalty_member m ON m.loyalty_ref = i.loyalty_ref
        ON CONFLICT (channel, source_ref)
        DO UPDATE SET loyalty_ref = EXCLUDED.loyalty_ref,
            partner_id = EXCLUDED.partner_id, date = EXCLUDED.date,
            amount_total = EXCLUDED.amount_total,
            points_added = EXCLUDED.points_added,
            activity_type = EXCLUDED.activity_type, subject = EXCLUDED.subject,
            write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
        WHERE (t.loyalty_ref, t.date, t.amount_total, t.points_added,
               t.activity_type, t.subject)
              IS DISTINCT FROM
              (EXCLUDED.loyalty_ref, EXCLUDED.date, EXCLUDED.amount_total,
               EXCLUDED.points_added, EXCLUDED.activity_type, EXCLUDED.subject)
        RETURNING id, (xmax = 0)
    """,
}
# Refs a chunk points to that do not exist (yet): its rows are imported unlinked.
UNKNOWN_REFS = {
    "online": (
        "contact_ref",
        "ContactId",
        """SELECT r FROM unnest(%s::varchar[]) r WHERE NOT EXISTS
           (SELECT 1 FROM res_partner WHERE contoso_contact_ref = r)""",
        "the purchase is imported without a customer and is linked when that "
        "contact is imported",
    ),
    "pos": (
        "loyalty_ref",
        "LoyaltyId",
        """SELECT r FROM unnest(%s::varchar[]) r WHERE NOT EXISTS
           (SELECT 1 FROM contoso_loyalty_member WHERE loyalty_ref = r)""",
        "the purchase is imported without a customer and is linked when that "
        "loyalty member is imported",
    ),
    "loyalty": (
        "contact_ref",
        "ContactId",
        """SELECT r FROM unnest(%s::varchar[]) r WHERE NOT EXISTS
           (SELECT 1 FROM res_partner WHERE contoso_contact_ref = r)""",
        "the member is imported and matched by e-mail, name and birth date "
        "meanwhile; it is linked to that contact when it is imported",
    ),
}


class ContosoImportBatch(models.Model):
    """One import of one file: its counts, its failed rows and its progress."""

    _name = "contoso.import.batch"
    _description = "Customer Data Import"
    _order = "id desc"

    name = fields.Char(string="Import", compute="_compute_name")
    source = fields.Selection(
        SOURCE_SELECTION, string="Source", required=True, readonly=True
    )
    filename = fields.Char(string="File Name", readonly=True)
    file = fields.Binary(string="File", attachment=True, readonly=True)
    checksum = fields.Char(
        string="Checksum", readonly=True, index=True, help="SHA-256 of the file."
    )
    dry_run = fields.Boolean(
        string="Dry Run",
        readonly=True,
        help="Counts and errors only: nothing was written.",
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("partial", "Done with errors"),
            ("failed", "Failed"),
        ],
        string="Status",
        required=True,
        default="queued",
        readonly=True,
        index=True,
    )
    rows_total = fields.Integer(string="Rows", readonly=True)
    rows_done = fields.Integer(
        string="Rows Processed",
        readonly=True,
        help="Rows already committed: a resumed import starts after them.",
    )
    rows_created = fields.Integer(string="Created", readonly=True)
    rows_updated = fields.Integer(string="Updated", readonly=True)
    rows_unchanged = fields.Integer(string="Unchanged", readonly=True)
    rows_failed = fields.Integer(string="Failed", readonly=True)
    rows_unlinked = fields.Integer(
        string="Without Customer",
        readonly=True,
        help="Imported rows whose ContactId or LoyaltyId is not known yet: linked "
        "when that customer is imported.",
    )
    progress = fields.Float(string="Progress", compute="_compute_progress")
    header = fields.Json(string="Header", readonly=True)
    detected = fields.Char(
        string="Read As", readonly=True, help="Encoding, delimiter and columns."
    )
    ignored_columns = fields.Char(string="Ignored Columns", readonly=True)
    message = fields.Text(string="Message", readonly=True)
    error_ids = fields.One2many(
        "contoso.import.error", "batch_id", string="Row Errors", readonly=True
    )
    error_file = fields.Binary(
        string="Error File", compute="_compute_error_file", attachment=False
    )
    error_filename = fields.Char(compute="_compute_error_file")
    date_start = fields.Datetime(string="Started", readonly=True)
    date_end = fields.Datetime(string="Ended", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Imported By",
        readonly=True,
        default=lambda self: self.env.user,
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )

    @api.depends("source", "filename")
    def _compute_name(self):
        labels = dict(SOURCE_SELECTION)
        for batch in self:
            batch.name = f"{labels.get(batch.source, '')}: {batch.filename or ''}"

    @api.depends("rows_done", "rows_total", "state")
    def _compute_progress(self):
        for batch in self:
            if batch.state in ("done", "partial"):
                batch.progress = 100
            elif batch.rows_total:
                batch.progress = min(100, 100 * batch.rows_done / batch.rows_total)
            else:
                batch.progress = 0

    @api.depends("error_ids", "header")
    def _compute_error_file(self):
        for batch in self:
            if not batch.error_ids:
                batch.error_file = batch.error_filename = False
                continue
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\r\n")
            header = list(batch.header or [])
            writer.writerow([*header, "reason"])
            for error in batch.error_ids:
                cells = list(error.cells or [])
                cells += [""] * (len(header) - len(cells))
                writer.writerow([*cells[: len(header)], error.reason])
            batch.error_file = base64.b64encode(out.getvalue().encode("utf-8-sig"))
            stem = (batch.filename or "import").rsplit(".", 1)[0]
            batch.error_filename = f"{stem}-errors.csv"

    # -- reading ---------------------------------------------------------------

    @contextlib.contextmanager
    def _open_file(self):
        attachment = (
            self.env["ir.attachment"]
            .sudo()  # the batch's own file, read by the user or cron processing it
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("res_field", "=", "file"),
                ],
                limit=1,
            )
        )
        if attachment.store_fname:
            # Streamed from the filestore: the file is never read whole.
            with open(attachment._full_path(attachment.store_fname), "rb") as handle:
                yield handle
        else:
            yield io.BytesIO(attachment.raw or b"")

    def _lookups(self):
        """Countries and US states by code and name, for the Contacts file."""
        if self.source != "contacts":
            return {}
        countries, states = {}, {}
        for country in self.env["res.country"].search_fetch([], ["code", "name"]):
            countries[country.code.lower()] = country.id
            countries[country.name.lower()] = country.id
        for alias, code in COUNTRY_ALIASES.items():
            countries[alias] = countries.get(code)
        for state in self.env["res.country.state"].search_fetch(
            [], ["code", "name", "country_id"]
        ):
            states[state.country_id.id, state.code.lower()] = state.id
            states[state.country_id.id, state.name.lower()] = state.id
        return {"countries": countries, "states": states}

    # -- processing ------------------------------------------------------------

    @api.model
    def _chunk_rows(self):
        param = self.env["ir.config_parameter"].sudo()  # reading a setting only
        return int(param.get_param("contoso_sales.import_chunk_rows", 10000))

    def _process(self, max_chunks=None, commit=False):
        """Import the rows after `rows_done`, chunk by chunk. Returns True when
        the file is finished.

        With `commit`, each chunk is committed with its counts and offset (cron):
        a crash loses at most the chunk in progress, and the next run starts
        after the last committed one; the upsert makes re-running it harmless.
        """
        self.ensure_one()
        if not self.date_start:
            self.date_start = fields.Datetime.now()
        self.state = "running"
        size = self._chunk_rows()
        lookups = self._lookups()
        chunks = 0
        with self._open_file() as handle:
            try:
                reader = open_source(handle, self.source, self.filename)
            except FileRefused as exc:
                self._finish(failed=str(exc))
                return True
            if not self.header:
                self.write(
                    {
                        "header": reader.header,
                        "detected": reader.describe(),
                        "ignored_columns": ", ".join(reader.extra_columns) or False,
                    }
                )
            reader.skip(self.rows_done)
            while rows := list(islice(reader, size)):
                self._import_chunk(rows, lookups)
                chunks += 1
                if commit:
                    left = self.env["ir.cron"]._commit_progress(
                        len(rows), remaining=max(self.rows_total - self.rows_done, 0)
                    )
                    if left < 30:
                        return False
                if max_chunks and chunks >= max_chunks:
                    return False
        self._finish()
        return True

    def _import_chunk(self, rows, lookups):
        """Clean, upsert and link one chunk; record its counts and errors."""
        clean = CLEANERS[self.source]
        today = fields.Date.context_today(self)
        good, errors = [], []
        for row in rows:
            try:
                vals = clean(row.values, today)
            except RowError as exc:
                errors.append((row, "error", str(exc)))
                continue
            if self.source == "contacts":
                self._resolve_address(vals, lookups)
            good.append((row, vals))
        self.env.flush_all()
        cr = self.env.cr
        if self.dry_run:
            cr.execute("SAVEPOINT contoso_dry_run")
        counts = Counter()
        # A key repeated in a chunk goes in a later wave, as if it came in the
        # next chunk: counts match reading the file row by row.
        seen = Counter()
        waves = []
        for row, vals in good:
            wave = seen[vals["ref"]]
            seen[vals["ref"]] += 1
            if wave == len(waves):
                waves.append([])
            waves[wave].append((row, vals))
        touched = []
        for wave in waves:
            returned = self._upsert([vals for _row, vals in wave])
            created = sum(1 for _id, inserted in returned if inserted)
            counts["created"] += created
            counts["updated"] += len(returned) - created
            counts["unchanged"] += len(wave) - len(returned)
            touched += [record_id for record_id, _inserted in returned]
        errors += self._link(good, touched)
        if self.dry_run:
            cr.execute("ROLLBACK TO SAVEPOINT contoso_dry_run")
        self.env.invalidate_all()
        failed = sum(1 for _row, kind, _reason in errors if kind == "error")
        self.write(
            {
                "rows_done": self.rows_done + len(rows),
                "rows_created": self.rows_created + counts["created"],
                "rows_updated": self.rows_updated + counts["updated"],
                "rows_unchanged": self.rows_unchanged + counts["unchanged"],
                "rows_failed": self.rows_failed + failed,
                "rows_unlinked": self.rows_unlinked + len(errors) - failed,
            }
        )
        if errors:
            self.env["contoso.import.error"].create(
                [
                    {
                        "batch_id": self.id,
                        "line": row.line,
                        "kind": kind,
                        "reason": reason,
                        "cells": row.cells,
                    }
                    for row, kind, reason in sorted(errors, key=lambda e: e[0].line)
                ]
            )

    def _resolve_address(self, vals, lookups):
        country = lookups["countries"].get((vals.pop("country") or "").lower())
        vals["country_id"] = country
        state = (vals.pop("state") or "").lower()
        vals["state_id"] = lookups["states"].get((country, state)) if state else None

    def _upsert(self, records):
        """COPY the records into a temp table and upsert them; (id, created) rows."""
        cr = self.env.cr
        cr.execute(TEMP_TABLES[self.source])
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        columns = TEMP_COLUMNS[self.source]
        for vals in records:
            writer.writerow([vals[col] for col in columns])
        buffer.seek(0)
        cr.copy_expert(COPY[self.source], buffer)
        cr.execute(
            UPSERT[self.source],
            {
                "uid": self.env.uid,
                "now": fields.Datetime.now(),
                "lang": self.env.lang or "en_US",
                "company": self.company_id.id,
                "currency": self.company_id.currency_id.id,
            },
        )
        returned = cr.fetchall()
        if self.source == "contacts":
            created = [record_id for record_id, inserted in returned if inserted]
            if created:
                cr.execute(
                    "UPDATE res_partner SET commercial_partner_id = id "
                    "WHERE id = ANY(%s)",
                    [created],
                )
        return returned

    def _link(self, good, touched):
        """Link the chunk's rows to their customers; warnings for unknown refs."""
        warnings = []
        if self.source in UNKNOWN_REFS:
            field, column, query, consequence = UNKNOWN_REFS[self.source]
            refs = sorted({vals[field] for _row, vals in good if vals[field]})
            self.env.cr.execute(query, [refs])
            unknown = {ref for (ref,) in self.env.cr.fetchall()}
            warnings = [
                (row, "warning", f"{column} '{vals[field]}' is unknown: {consequence}.")
                for row, vals in good
                if vals[field] in unknown
            ]
        refs = [vals["ref"] for _row, vals in good]
        purchases = self.env["contoso.purchase"]
        members = self.env["contoso.loyalty.member"]
        if self.source == "contacts":
            purchases._relink(contact_refs=refs)
            members.search([("contact_ref", "in", refs)])._match()
        elif self.source == "loyalty":
            self.env.invalidate_all()
            members.browse(touched)._match()
        # Purchases were linked by their upsert itself.
        return warnings

    def _finish(self, failed=None):
        if failed or self.rows_total and self.rows_failed >= self.rows_done:
            state = "failed"
        else:
            state = "partial" if self.rows_failed else "done"
        if self.source == "contacts" and not self.dry_run and self.rows_created:
            # New contacts may be the people that loyalty members were waiting for.
            waiting = self.env["contoso.loyalty.member"].search(
                [("match_state", "in", ("none", "review"))]
            )
            size = self._chunk_rows()
            for start in range(0, len(waiting), size):
                waiting[start : start + size]._match()
        self.write(
            {
                "state": state,
                "message": failed or self.message,
                "rows_total": max(self.rows_total, self.rows_done),
                "date_end": fields.Datetime.now(),
            }
        )

    # -- background ------------------------------------------------------------

    @api.model
    def _cron_process_queued(self):
        """Process queued and interrupted imports in committed chunks."""
        while True:
            self.env.flush_all()
            self.env.cr.execute(
                """
                SELECT id FROM contoso_import_batch
                 WHERE state IN ('queued', 'running')
                 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
                """
            )
            row = self.env.cr.fetchone()
            if not row:
                return
            batch = self.browse(row[0])
            try:
                finished = batch._process(commit=True)
            except Exception as exc:
                self.env.cr.rollback()
                _logger.exception("Import %s failed", batch.id)
                batch._finish(failed=self.env._("Import stopped: %s", exc))
                finished = True
            self.env["ir.cron"]._commit_progress(remaining=0 if finished else 1)
            if not finished:
                self.env.ref("contoso_sales.ir_cron_contoso_import")._trigger()
                return

    def action_resume(self):
        for batch in self:
            if batch.state not in ("queued", "running", "failed"):
                raise UserError(
                    self.env._(
                        "Import '%(name)s' is %(state)s: only a queued, running or "
                        "failed import can be resumed.",
                        name=batch.name,
                        state=dict(self._fields["state"].selection)[batch.state],
                    )
                )
        self.write({"state": "queued"})
        self.env.ref("contoso_sales.ir_cron_contoso_import")._trigger()
        return True

    @api.model
    def _label(self, source):
        return SOURCES[source].label

    @api.model
    def _load_demo_samples(self, customers=5000):
        """Demo data: generate the four sample exports and import them."""
        with tempfile.TemporaryDirectory() as folder:
            paths = write_samples(folder, customers)
            for source in ("contacts", "loyalty", "online", "pos"):
                data = paths[source].read_bytes()
                batch = self.create(
                    {
                        "source": source,
                        "filename": paths[source].name,
                        "file": base64.b64encode(data),
                        "checksum": hashlib.sha256(data).hexdigest(),
                    }
                )
                batch._process()
