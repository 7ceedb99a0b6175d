import base64
import contextlib
import csv
import hashlib
import io
import json
import logging
import math
import tempfile
import time
from collections import Counter, defaultdict
from itertools import islice

from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import UserError
from psycopg2.errors import TransactionRollbackError

from ..datahub.normalise import RowError, clean_ref, spreadsheet_safe
from ..datahub.priority import lower_cpu_priority, paused_gc
from ..datahub.reader import SOURCES, FileRefused, open_source
from ..datahub.sample import write_samples
from ..datahub.survivorship import jsonable, row_hash, survive
from .res_partner_bulk import DEFAULTS_MEMO, DefaultsMemo

_logger = logging.getLogger(__name__)

SOURCE_SELECTION = [
    ("contacts", "Contacts"),
    ("loyalty", "Loyalty members"),
    ("online", "Online purchases"),
    ("pos", "Shop purchases"),
]
# The first committed chunk of a queued file, before its pace is known.
FIRST_CHUNK_ROWS = 100
COUNTRY_ALIASES = {"usa": "us", "united states of america": "us", "uk": "gb"}

# The addon's own tables take COPY into a temp table and one INSERT ... ON
# CONFLICT per source. The WHERE of the DO UPDATE skips rows whose values are
# all the same, so RETURNING lists only created (xmax = 0) and really updated
# rows: the rest are unchanged. COALESCE keeps a stored value when the file's
# cell is empty. Partners are not written here: they go through the ORM.
TEMP_TABLES = {
    "loyalty": """
        CREATE TEMP TABLE IF NOT EXISTS contoso_import_loyalty (
            ref varchar, name varchar, email varchar, email_norm varchar,
            name_key varchar, birthdate date, created_on date, points int,
            contact_ref varchar, row_hash varchar, partner_id int, candidate int,
            score int, state varchar, reason varchar
        ) ON COMMIT DROP;
        TRUNCATE contoso_import_loyalty
    """,
    "online": """
        CREATE TEMP TABLE IF NOT EXISTS contoso_import_online (
            ref varchar, contact_ref varchar, date date, amount numeric,
            activity varchar, subject varchar, row_hash varchar, contact_partner int
        ) ON COMMIT DROP;
        TRUNCATE contoso_import_online
    """,
    "pos": """
        CREATE TEMP TABLE IF NOT EXISTS contoso_import_pos (
            ref varchar, loyalty_ref varchar, date date, amount numeric,
            points_added int, activity varchar, subject varchar, row_hash varchar
        ) ON COMMIT DROP;
        TRUNCATE contoso_import_pos
    """,
}
UPSERT = {
    "loyalty": """
        INSERT INTO contoso_loyalty_member AS t (
            loyalty_ref, name, email, email_norm, name_key, birthdate, created_on,
            points, contact_ref, row_hash, partner_id, candidate_partner_id,
            match_score, match_state, match_reason_data, match_reason_partner_id,
            company_id, create_uid, write_uid, create_date, write_date)
        SELECT ref, name, email, email_norm, name_key, birthdate, created_on,
               points, contact_ref, row_hash, partner_id, candidate, score, state,
               reason, candidate, %(company)s, %(uid)s, %(uid)s, %(now)s, %(now)s
          FROM contoso_import_loyalty
        ON CONFLICT (company_id, loyalty_ref)
        DO UPDATE SET name = EXCLUDED.name,
            email = COALESCE(EXCLUDED.email, t.email),
            email_norm = COALESCE(EXCLUDED.email_norm, t.email_norm),
            name_key = EXCLUDED.name_key,
            birthdate = COALESCE(EXCLUDED.birthdate, t.birthdate),
            created_on = COALESCE(EXCLUDED.created_on, t.created_on),
            points = EXCLUDED.points,
            contact_ref = COALESCE(EXCLUDED.contact_ref, t.contact_ref),
            row_hash = EXCLUDED.row_hash,
            write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
        WHERE (t.name, t.email, t.birthdate, t.created_on, t.points, t.contact_ref)
              IS DISTINCT FROM
              (EXCLUDED.name, COALESCE(EXCLUDED.email, t.email),
               COALESCE(EXCLUDED.birthdate, t.birthdate),
               COALESCE(EXCLUDED.created_on, t.created_on), EXCLUDED.points,
               COALESCE(EXCLUDED.contact_ref, t.contact_ref))
        RETURNING id, (xmax = 0), loyalty_ref
    """,
    # Purchases find their customer: the partner of the ContactId (web, looked
    # up before: _resolve_contacts) or of the company's loyalty member (shop,
    # in the same statement), if known.
    "online": """
        INSERT INTO contoso_purchase AS t (
            channel, source_ref, contact_ref, partner_id, date, amount_total,
            activity_type, subject, points_added, row_hash, company_id, currency_id,
            create_uid, write_uid, create_date, write_date)
        SELECT 'online', i.ref, i.contact_ref, i.contact_partner, i.date, i.amount,
               i.activity, i.subject, 0, i.row_hash, %(company)s, %(currency)s,
               %(uid)s, %(uid)s, %(now)s, %(now)s
          FROM contoso_import_online i
        ON CONFLICT (company_id, channel, source_ref)
        DO UPDATE SET contact_ref = EXCLUDED.contact_ref,
            partner_id = EXCLUDED.partner_id, date = EXCLUDED.date,
            amount_total = EXCLUDED.amount_total,
            activity_type = COALESCE(EXCLUDED.activity_type, t.activity_type),
            subject = COALESCE(EXCLUDED.subject, t.subject),
            row_hash = EXCLUDED.row_hash,
            write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
        WHERE (t.contact_ref, t.date, t.amount_total, t.activity_type, t.subject)
              IS DISTINCT FROM
              (EXCLUDED.contact_ref, EXCLUDED.date, EXCLUDED.amount_total,
               COALESCE(EXCLUDED.activity_type, t.activity_type),
               COALESCE(EXCLUDED.subject, t.subject))
        RETURNING id, (xmax = 0), source_ref
    """,
    "pos": """
        INSERT INTO contoso_purchase AS t (
            channel, source_ref, loyalty_ref, partner_id, date, amount_total,
            points_added, activity_type, subject, row_hash, company_id,
            currency_id, create_uid, write_uid, create_date, write_date)
        SELECT 'pos', i.ref, i.loyalty_ref, m.partner_id, i.date, i.amount,
               i.points_added, i.activity, i.subject, i.row_hash, %(company)s,
               %(currency)s, %(uid)s, %(uid)s, %(now)s, %(now)s
          FROM contoso_import_pos i
     LEFT JOIN contoso_loyalty_member m
            ON m.loyalty_ref = i.loyalty_ref AND m.company_id = %(company)s
        ON CONFLICT (company_id, channel, source_ref)
        DO UPDATE SET loyalty_ref = EXCLUDED.loyalty_ref,
            partner_id = EXCLUDED.partner_id, date = EXCLUDED.date,
            amount_total = EXCLUDED.amount_total,
            points_added = EXCLUDED.points_added,
            activity_type = COALESCE(EXCLUDED.activity_type, t.activity_type),
            subject = COALESCE(EXCLUDED.subject, t.subject),
            row_hash = EXCLUDED.row_hash,
            write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
        WHERE (t.loyalty_ref, t.date, t.amount_total, t.points_added,
               t.activity_type, t.subject)
              IS DISTINCT FROM
              (EXCLUDED.loyalty_ref, EXCLUDED.date, EXCLUDED.amount_total,
               EXCLUDED.points_added,
               COALESCE(EXCLUDED.activity_type, t.activity_type),
               COALESCE(EXCLUDED.subject, t.subject))
        RETURNING id, (xmax = 0), source_ref
    """,
}
# What the last import of each of a chunk's keys was, to skip the rows equal to
# it before cleaning them: (key, hash of the row last imported, partner). A
# contact is only skipped when its import history is the importing company's.
# A skipped purchase without a customer is checked for an unknown reference
# again, as a written one is; a linked one has its customer. A member's link
# is its ContactId, whatever contact it was matched with: always checked.
# Both sides of the contacts' join are narrowed to the keys, so that each is
# read through its index rather than every partner being scanned.
KNOWN_ROWS = {
    "contacts": """
        SELECT sr.key, sr.row_hash, rp.id
          FROM contoso_source_record sr
          JOIN res_partner rp ON rp.contoso_contact_ref = sr.key
         WHERE sr.source = 'contacts' AND sr.key = ANY(%(keys)s)
           AND rp.contoso_contact_ref = ANY(%(keys)s)
           AND sr.company_id = %(company)s
    """,
    "loyalty": """
        SELECT loyalty_ref, row_hash, NULL FROM contoso_loyalty_member
         WHERE company_id = %(company)s AND loyalty_ref = ANY(%(keys)s)
    """,
    "online": """
        SELECT source_ref, row_hash, partner_id FROM contoso_purchase
         WHERE company_id = %(company)s AND channel = 'online'
           AND source_ref = ANY(%(keys)s)
    """,
    "pos": """
        SELECT source_ref, row_hash, partner_id FROM contoso_purchase
         WHERE company_id = %(company)s AND channel = 'pos'
           AND source_ref = ANY(%(keys)s)
    """,
}
# The same, for every record of the company at once: a large file of the
# addon's own tables reads it once instead of looking up each chunk's keys
# (PostgreSQL 15 descends the index once per key: 3 of the 6 seconds of a
# 250,000-row re-import). Not for contacts: people change them meanwhile.
KNOWN_SNAPSHOT = {
    "loyalty": """
        SELECT loyalty_ref, row_hash, NULL FROM contoso_loyalty_member
         WHERE company_id = %(company)s LIMIT %(limit)s
    """,
    "online": """
        SELECT source_ref, row_hash, partner_id FROM contoso_purchase
         WHERE company_id = %(company)s AND channel = 'online' LIMIT %(limit)s
    """,
    "pos": """
        SELECT source_ref, row_hash, partner_id FROM contoso_purchase
         WHERE company_id = %(company)s AND channel = 'pos' LIMIT %(limit)s
    """,
}
# Above this many records (about 80 MB held while the file is imported),
# each chunk looks its keys up instead.
SNAPSHOT_MAX_ROWS = 300_000
# A row that differs from the last import only in how it is written (spaces,
# quotes, a date's format) upserts nothing: its hash is still taken, so that
# the same row next time is skipped.
REFRESH_HASH = {
    "loyalty": """
        UPDATE contoso_loyalty_member t SET row_hash = i.row_hash
          FROM contoso_import_loyalty i
         WHERE t.company_id = %(company)s AND t.loyalty_ref = i.ref
           AND i.ref = ANY(%(refs)s) AND t.row_hash IS DISTINCT FROM i.row_hash
    """,
    "online": """
        UPDATE contoso_purchase t SET row_hash = i.row_hash
          FROM contoso_import_online i
         WHERE t.company_id = %(company)s AND t.channel = 'online'
           AND t.source_ref = i.ref AND i.ref = ANY(%(refs)s)
           AND t.row_hash IS DISTINCT FROM i.row_hash
    """,
    "pos": """
        UPDATE contoso_purchase t SET row_hash = i.row_hash
          FROM contoso_import_pos i
         WHERE t.company_id = %(company)s AND t.channel = 'pos'
           AND t.source_ref = i.ref AND i.ref = ANY(%(refs)s)
           AND t.row_hash IS DISTINCT FROM i.row_hash
    """,
}
# Refs a chunk points to that do not exist (yet), by the kind of record the
# source's link points to: its rows are imported unlinked. Another company's
# contact is unknown too: neither linked nor revealed. The refs found are
# looked up by `= ANY`, through the index: an anti join on thousands of refs
# makes PostgreSQL scan every partner instead (3x slower at 100,000 contacts).
UNKNOWN_REFS = {
    "contacts": """SELECT unnest(%(refs)s::varchar[]) EXCEPT
           SELECT contoso_contact_ref FROM res_partner
            WHERE contoso_contact_ref = ANY(%(refs)s::varchar[])
              AND (company_id IS NULL OR company_id = %(company)s)""",
    "loyalty": """SELECT unnest(%(refs)s::varchar[]) EXCEPT
           SELECT loyalty_ref FROM contoso_loyalty_member
            WHERE company_id = %(company)s
              AND loyalty_ref = ANY(%(refs)s::varchar[])""",
}
UNLINKED_CONSEQUENCE = {
    "online": "the purchase is imported without a customer and is linked when "
    "that contact is imported",
    "pos": "the purchase is imported without a customer and is linked when that "
    "loyalty member is imported",
    "loyalty": "the member is imported and matched by e-mail, name and birth date "
    "meanwhile; it is linked to that contact when it is imported",
}
# Partners are written the way a bulk import in Odoo writes them: no "created"
# message and no field tracking per partner (the import logs its own note with
# the changed fields, in one batch), no follower subscription.
PARTNER_IMPORT_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
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
    chunk_rows = fields.Integer(
        string="Rows per Chunk",
        readonly=True,
        help="Rows the next run imports in one transaction: fitted after each "
        "chunk so that a chunk lasts about half a second, halved after a run that "
        "did not commit its chunk (its worker killed past its time limits).",
    )
    chunk_pending = fields.Boolean(
        string="Chunk in Progress",
        readonly=True,
        help="A run began a chunk and has not committed it yet.",
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
    conflict_ids = fields.One2many(
        "contoso.import.conflict", "batch_id", string="Conflicted Fields", readonly=True
    )
    conflict_count = fields.Integer(
        string="Conflicts",
        compute="_compute_conflict_count",
        help="Fields changed in Odoo since the last import that the file would "
        "overwrite: Odoo's value was kept.",
    )
    waits_for_id = fields.Many2one(
        "contoso.import.batch",
        string="Waits For",
        compute="_compute_waits_for_id",
        help="An earlier file of the same source still queued or importing: files "
        "of one source are imported in the order they came.",
    )
    error_file = fields.Binary(
        string="Error File",
        attachment=True,
        readonly=True,
        help="The rows not imported (or imported with a warning), with the "
        "reason; built once when the import ends.",
    )
    error_filename = fields.Char(string="Error File Name", readonly=True)
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
        index=True,
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

    @api.depends("state")
    def _compute_waits_for_id(self):
        for batch in self:
            batch.waits_for_id = (
                batch._earlier_of_source()[:1] if batch.state == "queued" else False
            )

    @api.depends("conflict_ids")
    def _compute_conflict_count(self):
        counts = dict(
            self.env["contoso.import.conflict"]._read_group(
                [("batch_id", "in", self.ids)], ["batch_id"], ["__count"]
            )
        )
        for batch in self:
            batch.conflict_count = counts.get(batch, 0)

    @api.model_create_multi
    def create(self, vals_list):
        # Who imports, for which company and in which state is the server's to
        # say, never the client's: the batch's company is the importing user's
        # current company, whose data the import then writes.
        # The client gives the file, its name, its source and dry run; the rest
        # (checksum, what was detected...) the server computes.
        if not self.env.su:
            for vals in vals_list:
                for name in vals.keys() - {"source", "filename", "file", "dry_run"}:
                    vals.pop(name)
                vals.update(
                    company_id=self.env.company.id,
                    user_id=self.env.uid,
                    state="queued",
                    checksum=hashlib.sha256(
                        base64.b64decode(vals.get("file") or b"")
                    ).hexdigest(),
                )
        return super().create(vals_list)

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
    def _number_param(self, key, default, cast=int, minimum=0):
        """A number the administrator set in the system parameters: text, not a
        finite number or below `minimum` (a typo, "nan", "-1") falls back to the
        default with a warning, so a bad value never stops the imports nor makes
        a chunk of no rows (a file ended as failed, with nothing imported)."""
        value = self.env["ir.config_parameter"].sudo().get_param(key)  # a setting
        if value in (None, False, ""):
            return default
        try:
            number = cast(value)
            valid = math.isfinite(number) and number >= minimum
        except (TypeError, ValueError, OverflowError):
            valid = False
        if not valid:
            _logger.warning(
                "System parameter %s = %r is not a number of at least %s: %s used",
                key,
                value,
                minimum,
                default,
            )
            return default
        return number

    @api.model
    def _chunk_rows(self):
        return self._number_param("contoso_sales.import_chunk_rows", 10000, minimum=1)

    @api.model
    def _import_nice(self):
        # Queued files only: a small file imported in the wizard's request is
        # the user's own request, at the server's priority.
        return self._number_param("contoso_sales.import_nice", 10)

    @api.model
    def _chunk_seconds(self):
        return self._number_param("contoso_sales.import_chunk_seconds", 0.5, cast=float)

    def _fit_chunk(self, size, rows, seconds):
        """The rows of the next committed chunk, so that a chunk's transaction
        lasts about `contoso_sales.import_chunk_seconds`: the contacts and
        members a chunk updates stay locked until its commit, and a user saving
        one of them meanwhile waits for it. Grows at most twice per chunk, never
        past `contoso_sales.import_chunk_rows`."""
        target = self._chunk_seconds()
        if rows < size or target <= 0:
            return size  # the file's last chunk says nothing of the next one
        fitted = int(rows * target / max(seconds, 0.001))
        fitted = max(1, min(fitted, size * 2, self._chunk_rows()))
        if fitted != size:
            self._bookkeep({"chunk_rows": fitted})
        return fitted

    def _bookkeep(self, vals):
        # The batch's own counters and state: users may read a batch, never write
        # it, so that nobody can mark a file done or move its offset by hand.
        self.sudo().write(vals)  # only server-computed values, see above

    def _process(self, max_chunks=None, commit=False):
        """Import the rows after `rows_done`, chunk by chunk. Returns True when
        the file is finished.

        With `commit`, each chunk is committed with its counts and offset (cron):
        a crash loses at most the chunk in progress, and the next run starts
        after the last committed one; the upsert makes re-running it harmless.
        """
        self.ensure_one()
        vals = {"state": "running"}
        if not self.date_start:
            vals["date_start"] = fields.Datetime.now()
        size = self.chunk_rows or self._chunk_rows()
        if commit and not self.chunk_rows and self._chunk_seconds() > 0:
            # Nothing known yet of this file's pace on this machine: a first
            # chunk of import_chunk_rows could hold its locks for minutes.
            # Chunks then grow to last about import_chunk_seconds.
            size = min(size, FIRST_CHUNK_ROWS)
        if commit:
            if self.chunk_pending:
                # The last run did not commit its chunk: its worker was killed
                # past limit_time_cpu or limit_time_real_cron, and the next one
                # would be, on the same chunk, forever. A smaller chunk fits.
                size = max(size // 2, 1)
                _logger.warning("Import %s: chunk lost, now %s rows", self.id, size)
            vals.update(chunk_rows=size, chunk_pending=True)
        self._bookkeep(vals)
        if commit:
            self.env["ir.cron"]._commit_progress()
        lookups = self._lookups()
        source_tables = self.source != "contacts"
        chunks = 0
        with self._open_file() as handle:
            try:
                reader = open_source(handle, self.source, self.filename)
            except FileRefused as exc:
                self._finish(failed=str(exc))
                return True
            if not self.header:
                self._bookkeep(
                    {
                        "header": reader.header,
                        "detected": reader.describe(),
                        "ignored_columns": ", ".join(reader.extra_columns) or False,
                    }
                )
            reader.skip(self.rows_done)
            while rows := list(islice(reader, size)):
                if len(rows) == size and "known" not in lookups:
                    # A full chunk: the file may go on for many more.
                    lookups["known"] = self._known_snapshot()
                started = time.monotonic()
                # The addon's own tables: short chunks, 4 to 8% of whose time
                # went to the cycle collector (paused_gc). Contacts spend
                # theirs in Odoo's create(), about 1% in it: left as they are.
                with paused_gc() if source_tables else contextlib.nullcontext():
                    self._import_chunk(rows, lookups)
                chunks += 1
                if commit:
                    size = self._fit_chunk(size, len(rows), time.monotonic() - started)
                    left = self.env["ir.cron"]._commit_progress(
                        len(rows), remaining=max(self.rows_total - self.rows_done, 0)
                    )
                    # Odoo gives a job MIN_TIME_PER_JOB (10 s) of a run before
                    # the other jobs' turn: chunks of about import_chunk_seconds
                    # go on while the next one fits in it (a run then reads
                    # the lookups and the last imports once for many chunks);
                    # unfitted chunks (up to 30 s of contacts) one per run.
                    target = self._chunk_seconds()
                    if left < (2 * target if target > 0 else 30):
                        return False
                if max_chunks and chunks >= max_chunks:
                    return False
        self._finish()
        return True

    def _import_chunk(self, rows, lookups):
        """Clean, upsert and link one chunk; record its counts and errors."""
        source = SOURCES[self.source]
        today = fields.Date.context_today(self)
        fresh, unchanged = self._skip_unchanged(rows, lookups)
        good, errors = [], []
        for row, digest in fresh:
            try:
                vals = source.clean_row(row.values, today)
            except RowError as exc:
                errors.append((row, "error", str(exc)))
                continue
            if source.code == "contacts":
                self._resolve_address(vals, lookups)
            vals["row_hash"] = digest
            good.append((row, vals))
        self.env.flush_all()
        counts = Counter()
        with contextlib.ExitStack() as dry_run:
            if self.dry_run:
                dry_run.enter_context(self._rolled_back())
            try:
                with self.env.cr.savepoint():
                    written = self._write_rows(good, counts, lookups)
                errors += written
            except TransactionRollbackError:
                # A user saved one of the chunk's records since this transaction
                # began (or a deadlock): the row is not at fault, and would fail
                # again in this transaction. The caller imports the chunk again
                # in a new one.
                raise
            except Exception:  # noqa: BLE001 - any failure is narrowed to its rows
                # Something in the chunk broke the whole write (a database
                # constraint, another app's create override...): import the rows
                # one by one, so that only the rows at fault fail, with the
                # reason; Resume then never fails again on the same chunk.
                _logger.info("Import %s: chunk failed, retrying row by row", self.id)
                self.env.invalidate_all()
                counts.clear()
                for row, vals in good:
                    row_counts = Counter()
                    try:
                        with self.env.cr.savepoint():
                            written = self._write_rows(
                                [(row, vals)], row_counts, lookups
                            )
                    except Exception as exc:  # noqa: BLE001 - reported on the row
                        self.env.invalidate_all()
                        errors.append((row, "error", self._failure_reason(exc)))
                    else:
                        errors += written
                        counts.update(row_counts)
        counts["unchanged"] += len(unchanged)
        errors += self._unknown_ref_warnings(unchanged)
        self.env.invalidate_all()
        failed = sum(1 for _row, kind, _reason in errors if kind == "error")
        self._bookkeep(
            {
                "rows_done": self.rows_done + len(rows),
                "rows_created": self.rows_created + counts["created"],
                "rows_updated": self.rows_updated + counts["updated"],
                "rows_unchanged": self.rows_unchanged + counts["unchanged"],
                "rows_failed": self.rows_failed + failed,
                "rows_unlinked": self.rows_unlinked + len(errors) - failed,
                "chunk_pending": False,
            }
        )
        if errors:
            self.env["contoso.import.error"].sudo().create(  # the batch's own rows
                [
                    {
                        "batch_id": self.id,
                        "line": row.line,
                        "kind": kind,
                        "reason": reason,
                        # PostgreSQL stores no NUL character: shown as U+FFFD.
                        "cells": [cell.replace("\x00", "\ufffd") for cell in row.cells],
                    }
                    for row, kind, reason in sorted(errors, key=lambda e: e[0].line)
                ]
            )

    def _known_snapshot(self):
        """The last import of each record of the batch's company, by key, for
        the addon's own tables; None if there are too many to hold, or for
        contacts. Keys that this run writes are left out as they are
        written (`_skip_unchanged`): for them, the database is asked again."""
        if self.source not in KNOWN_SNAPSHOT:
            return None
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            KNOWN_SNAPSHOT[self.source],
            {"company": self.company_id.id, "limit": SNAPSHOT_MAX_ROWS + 1},
        )
        if cr.rowcount > SNAPSHOT_MAX_ROWS:
            return None
        known = {}
        while batch := cr.fetchmany(10000):
            known.update((key, (digest, other)) for key, digest, other in batch)
        return {"rows": known, "written": set()}

    def _skip_unchanged(self, rows, lookups):
        """Split the chunk's rows into those to clean and write, each with its
        hash, and those equal to their last import, each with the value it
        links by if it has no customer: these reach neither the cleaning nor
        the ORM. A key repeated in the chunk is never skipped (its rows are
        written in turn)."""
        source = SOURCES[self.source]
        digests = [row_hash(row.values) for row in rows]
        keys = [clean_ref(row.values[source.key]) for row in rows]
        counted = Counter(keys)
        unique = [key for key, seen in counted.items() if key and seen == 1]
        snapshot = lookups.get("known")
        known = {}
        if snapshot:
            # What the database held when the snapshot was read, unless this
            # run wrote the key since: then it holds what was written.
            written, last = snapshot["written"], snapshot["rows"]
            known = {
                key: last[key] for key in unique if key in last and key not in written
            }
            unique = [key for key in unique if key in written]
        if unique:
            self.env.flush_all()
            self.env.cr.execute(
                KNOWN_ROWS[self.source],
                {"keys": unique, "company": self.company_id.id},
            )
            known.update(
                (key, (digest, other)) for key, digest, other in self.env.cr.fetchall()
            )
        if self.source == "contacts":
            # A contact the user may not edit is never skipped: its row is
            # refused by the upsert, as it would be if it had changed.
            editable = set(
                self.env["res.partner"]
                .with_context(active_test=False)
                .browse([other for _digest, other in known.values()])
                ._filtered_access("write")
                .ids
            )
            known = {k: v for k, v in known.items() if v[1] in editable}
        fresh, unchanged = [], []
        for row, key, digest in zip(rows, keys, digests, strict=True):
            stored, partner_id = known.get(key, (None, None))
            if stored == digest:
                link = {}
                if source.link:
                    field, column, _target = source.link
                    ref = None if partner_id else clean_ref(row.values[column])
                    link[field] = ref or None
                unchanged.append((row, link))
            else:
                fresh.append((row, digest))
                if snapshot:
                    snapshot["written"].add(key)
        return fresh, unchanged

    @contextlib.contextmanager
    def _rolled_back(self):
        """Everything written inside is rolled back: a dry run."""
        cr = self.env.cr
        cr.execute("SAVEPOINT contoso_dry_run")
        try:
            yield
        finally:
            self.env.flush_all()
            cr.execute("ROLLBACK TO SAVEPOINT contoso_dry_run")
            self.env.invalidate_all()

    @api.model
    def _failure_reason(self, exc):
        message = getattr(exc, "pgerror", None) or str(exc) or type(exc).__name__
        return self.env._(
            "The row could not be written: %(reason)s",
            reason=" ".join(message.split())[:500],
        )

    def _write_rows(self, good, counts, lookups=None):
        """Upsert the cleaned rows and link them; returns row errors and
        warnings."""
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
        touched, errors = [], []
        for wave in waves:
            if self.source == "contacts":
                written, refused = self._upsert_partners(wave, counts)
                touched += written
                errors += refused
                continue
            returned = self._upsert_sql([vals for _row, vals in wave], lookups)
            created = sum(1 for _id, inserted in returned if inserted)
            counts["created"] += created
            counts["updated"] += len(returned) - created
            counts["unchanged"] += len(wave) - len(returned)
            # New loyalty members were matched before their insert.
            prematched = self.source == "loyalty"
            touched += [
                record_id
                for record_id, inserted in returned
                if not (inserted and prematched)
            ]
        return errors + self._link(good, touched)

    def _resolve_address(self, vals, lookups):
        country = lookups["countries"].get((vals.pop("country") or "").lower())
        vals["country_id"] = country
        state = (vals.pop("state") or "").lower()
        vals["state_id"] = lookups["states"].get((country, state)) if state else None

    def _upsert_sql(self, records, lookups=None):
        """COPY the records into a temp table and upsert them; (id, created) rows."""
        cr = self.env.cr
        source = SOURCES[self.source]
        columns = ("ref", *source.fields, "row_hash")
        if self.source == "loyalty":
            columns += self._prematch(records, lookups)
        elif self.source == "online":
            columns += self._resolve_contacts(records)
        cr.execute(TEMP_TABLES[self.source])
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for vals in records:
            writer.writerow([vals[col] for col in columns])
        buffer.seek(0)
        cr.copy_expert(
            f"COPY contoso_import_{self.source} ({', '.join(columns)}) FROM STDIN "
            "WITH (FORMAT csv)",
            buffer,
        )
        cr.execute(
            UPSERT[self.source],
            {
                "uid": self.env.uid,
                "now": fields.Datetime.now(),
                "company": self.company_id.id,
                "currency": self.company_id.currency_id.id,
            },
        )
        returned = cr.fetchall()
        if self.source == "loyalty":
            # Purchases imported before their new members now find them.
            self.env["contoso.purchase"]._relink(
                loyalty_refs=[ref for _id, inserted, ref in returned if inserted]
            )
        written = {ref for _id, _inserted, ref in returned}
        same = [vals["ref"] for vals in records if vals["ref"] not in written]
        if same:
            cr.execute(
                REFRESH_HASH[self.source], {"company": self.company_id.id, "refs": same}
            )
        return [(record_id, inserted) for record_id, inserted, _ref in returned]

    def _resolve_contacts(self, records):
        """The customer of each web purchase, from its ContactId: a shared
        contact or one of the batch's company (no other company's contact is
        linked, nor revealed). Looked up once, by the ContactId index, for both
        the upsert and the unknown-ContactId warnings. Returns the column added
        to the records."""
        refs = sorted({vals["contact_ref"] for vals in records if vals["contact_ref"]})
        self.env.cr.execute(
            """
            SELECT contoso_contact_ref, id FROM res_partner
             WHERE contoso_contact_ref = ANY(%s)
               AND (company_id IS NULL OR company_id = %s)
            """,
            [refs, self.company_id.id],
        )
        partners = dict(self.env.cr.fetchall())
        for vals in records:
            vals["contact_partner"] = partners.get(vals["contact_ref"])
        return ("contact_partner",)

    def _prematch(self, records, lookups=None):
        """Match the new members of a loyalty wave before they are inserted,
        so that each is written once, with its match; the members already
        imported (their values merge with what is stored) are matched after
        their update. Returns the columns added to the records."""
        self.env.cr.execute(
            "SELECT loyalty_ref FROM contoso_loyalty_member "
            "WHERE company_id = %s AND loyalty_ref = ANY(%s)",
            [self.company_id.id, [vals["ref"] for vals in records]],
        )
        known = {ref for (ref,) in self.env.cr.fetchall()}
        new = []
        columns = ("partner_id", "candidate", "score", "state", "reason")
        company = self.company_id.id
        for vals in records:
            vals.update(dict.fromkeys(columns), company_id=company)
            if vals["ref"] not in known:
                new.append(vals)
        if new:
            too_large = None if lookups is None else lookups.setdefault("too_large", {})
            results = self.env["contoso.loyalty.member"]._match_rows(
                new, too_large=too_large
            )
            for vals, result in zip(new, results, strict=True):
                vals.update(zip(columns, result, strict=True))
        return columns

    # -- partners: survivorship -------------------------------------------------

    def _upsert_partners(self, wave, counts):
        """Create or update the wave's partners through the ORM, the way a
        customer data platform does: an unchanged row (same hash as its last
        import) is skipped before reaching the ORM; an empty cell never erases;
        a field a person changed since the last import is kept and listed as a
        conflict. Returns the ContactIds of the partners created or compared
        field by field (not those skipped as unchanged) and the rows refused."""
        source = SOURCES["contacts"]
        cr = self.env.cr
        rows = []
        for _row, vals in wave:
            file_vals = {
                name: jsonable(vals[key]) for key, name in source.fields.items()
            }
            rows.append((vals["ref"], file_vals, vals["row_hash"]))
        keys = [key for key, _vals, _digest in rows]
        cr.execute(
            """
            SELECT key, id, row_hash, imported_values, partner_id, company_id
              FROM contoso_source_record
             WHERE source = 'contacts' AND key = ANY(%s)
            """,
            [keys],
        )
        known = {key: rest for key, *rest in cr.fetchall()}
        cr.execute(
            "SELECT contoso_contact_ref, id FROM res_partner "
            "WHERE contoso_contact_ref = ANY(%s)",
            [keys],
        )
        partner_by_ref = dict(cr.fetchall())
        # A ContactId of a contact the user may not edit (another company's) is
        # refused on its row, without reading or naming that contact.
        editable = set(
            self.env["res.partner"]
            .with_context(active_test=False)
            .browse(partner_by_ref.values())
            ._filtered_access("write")
            .ids
        )
        to_create, to_update, refused, elsewhere = [], [], [], []
        for key, file_vals, digest in rows:
            record = known.get(key)
            partner_id = partner_by_ref.get(key)
            if partner_id and partner_id not in editable:
                refused.append(key)
            elif record and record[4] != self.company_id.id:
                # Another company's import history of a shared contact: neither
                # read nor taken over (its last values are that company's data).
                elsewhere.append(key)
            elif record and record[1] == digest and partner_id:
                counts["unchanged"] += 1
            elif partner_id:
                to_update.append((key, partner_id, file_vals, digest, record))
            else:
                to_create.append((key, file_vals, digest))
        records = []
        if to_create:
            # Partners alike share Odoo's defaults and company check: resolved
            # once for the wave (res_partner_bulk.py), values unchanged.
            # _load_records_create is create() as Odoo's own import (load())
            # calls it: res.partner then syncs parents and children once for
            # the batch instead of once per partner.
            partners = self.env["res.partner"].with_context(
                **PARTNER_IMPORT_CONTEXT, **{DEFAULTS_MEMO: DefaultsMemo()}
            )
            # The cleaned values, not their JSON form: a date given as text
            # would be parsed again by Odoo, partner by partner.
            cleaned = {vals["ref"]: vals for _row, vals in wave}
            created = partners._contoso_bulk_create(
                [
                    {
                        "contoso_contact_ref": key,
                        **{
                            name: cleaned[key][column]
                            for column, name in source.fields.items()
                            if file_vals[name] is not None
                        },
                    }
                    for key, file_vals, _digest in to_create
                ]
            )
            counts["created"] += len(created)
            records += [
                (key, partner.id, {n: v for n, v in file_vals.items() if v}, digest)
                for (key, file_vals, digest), partner in zip(
                    to_create, created, strict=True
                )
            ]
        if to_update:
            records += self._update_partners(to_update, counts)
        self._save_source_records(records)
        touched = [key for key, _partner_id, _vals, _digest in records]
        rows_by_key = {vals["ref"]: row for row, vals in wave}
        errors = [
            (
                rows_by_key[key],
                "error",
                self.env._(
                    "ContactId '%s' belongs to a contact you may not edit (another "
                    "company's): import it as a user of that company.",
                    key,
                ),
            )
            for key in refused
        ] + [
            (
                rows_by_key[key],
                "error",
                self.env._(
                    "ContactId '%s' is imported by another company: import it as "
                    "a user of that company.",
                    key,
                ),
            )
            for key in elsewhere
        ]
        return touched, errors

    def _update_partners(self, to_update, counts):
        """Write the fields that survivorship lets the file change; list the
        others as conflicts. Returns the source records to save."""
        source = SOURCES["contacts"]
        names = list(source.fields.values())
        partner_ids = [partner_id for _key, partner_id, *_rest in to_update]
        current = {
            partner["id"]: partner
            for partner in self.env["res.partner"]
            .browse(partner_ids)
            .with_context(active_test=False)
            .read(names, load=None)
        }
        writes = defaultdict(list)
        changes, conflicts, records = {}, [], []
        for key, partner_id, file_vals, digest, record in to_update:
            now = {name: jsonable(current[partner_id][name]) for name in names}
            new_vals, clashes, imported = survive(
                file_vals, now, (record[2] or {}) if record else None
            )
            conflicts += [(key, partner_id, *clash) for clash in clashes]
            if new_vals:
                writes[tuple(sorted(new_vals.items()))].append(partner_id)
                changes[partner_id] = [
                    (name, now[name], value) for name, value in new_vals.items()
                ]
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
            records.append((key, partner_id, imported, digest))
        partners = self.env["res.partner"].with_context(**PARTNER_IMPORT_CONTEXT)
        for items, ids in writes.items():
            partners.browse(ids).write(dict(items))
        self._log_changes(changes)
        self._create_conflicts(conflicts)
        # The hash of a row with conflicts is the file's: the same row again is
        # skipped, a changed row is compared field by field again.
        return records

    def _save_source_records(self, records):
        if not records:
            return
        keys, partner_ids, values, digests = zip(*records, strict=True)
        self.env.flush_all()
        self.env.cr.execute(
            """
            INSERT INTO contoso_source_record AS t (
                source, key, partner_id, imported_values, row_hash, batch_id,
                company_id, create_uid, write_uid, create_date, write_date)
            SELECT 'contacts', u.key, u.partner_id, u.vals, u.digest, %(batch)s,
                   %(company)s, %(uid)s, %(uid)s, %(now)s, %(now)s
              FROM unnest(%(keys)s::varchar[], %(partners)s::int[],
                          %(vals)s::jsonb[], %(digests)s::varchar[])
                   AS u(key, partner_id, vals, digest)
            ON CONFLICT (source, key) DO UPDATE SET
                partner_id = EXCLUDED.partner_id,
                imported_values = EXCLUDED.imported_values,
                row_hash = EXCLUDED.row_hash, batch_id = EXCLUDED.batch_id,
                company_id = EXCLUDED.company_id, write_uid = EXCLUDED.write_uid,
                write_date = EXCLUDED.write_date
            """,
            {
                "keys": list(keys),
                "partners": list(partner_ids),
                "vals": [json.dumps(v) for v in values],
                "digests": list(digests),
                "batch": self.id,
                "company": self.company_id.id,
                "uid": self.env.uid,
                "now": fields.Datetime.now(),
            },
        )
        self.env["contoso.source.record"].invalidate_model()

    def _display_values(self, triples):
        """Readable values of (field, value) pairs: names of many2one records."""
        partner_fields = self.env["res.partner"]._fields
        ids = defaultdict(set)
        for name, value in triples:
            if value and partner_fields[name].type == "many2one":
                ids[partner_fields[name].comodel_name].add(value)
        names = {
            (model, record.id): record.display_name
            for model, record_ids in ids.items()
            for record in self.env[model].browse(record_ids)
        }

        def show(name, value):
            if value is None:
                return ""
            field = partner_fields[name]
            if field.type == "many2one":
                return names.get((field.comodel_name, value), str(value))
            return str(value)

        return show

    def _log_changes(self, changes):
        """One note per updated partner: which import changed which field."""
        if not changes:
            return
        show = self._display_values(
            (name, value)
            for triples in changes.values()
            for name, old, new in triples
            for value in (old, new)
        )
        fields_ = self.env["res.partner"]._fields
        bodies = {}
        for partner_id, triples in changes.items():
            items = Markup("").join(
                Markup("<li>%s: %s → %s</li>")
                % (
                    fields_[name]._description_string(self.env),
                    show(name, old) or "—",
                    show(name, new),
                )
                for name, old, new in triples
            )
            bodies[partner_id] = Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._(
                    "Updated by the import %(name)s (#%(id)s):",
                    name=self.name,
                    id=self.id,
                ),
                items,
            )
        self.env["res.partner"].browse(list(bodies))._message_log_batch(bodies)

    def _create_conflicts(self, conflicts):
        if not conflicts:
            return
        show = self._display_values(
            (name, value)
            for _key, _pid, name, now, new in conflicts
            for value in (now, new)
        )
        self.env["contoso.import.conflict"].sudo().create(  # the batch's own list
            [
                {
                    "batch_id": self.id,
                    "key": key,
                    "partner_id": partner_id,
                    "field_name": name,
                    "odoo_value": show(name, now),
                    "file_value": show(name, new),
                    "file_raw": {"value": new},
                }
                for key, partner_id, name, now, new in conflicts
            ]
        )

    # -- linking ---------------------------------------------------------------

    def _unknown_ref_warnings(self, pairs):
        """Warnings for the (row, values) whose link points to nothing (yet)."""
        source = SOURCES[self.source]
        if not source.link or not pairs:
            return []
        field, column, target = source.link
        # Web purchases just written know their customer (_resolve_contacts).
        unknown = {
            vals[field]
            for _row, vals in pairs
            if vals[field] and "contact_partner" in vals and not vals["contact_partner"]
        }
        refs = sorted(
            {
                vals[field]
                for _row, vals in pairs
                if vals[field] and "contact_partner" not in vals
            }
        )
        if refs:
            self.env.flush_all()
            self.env.cr.execute(
                UNKNOWN_REFS[target], {"refs": refs, "company": self.company_id.id}
            )
            unknown.update(ref for (ref,) in self.env.cr.fetchall())
        consequence = UNLINKED_CONSEQUENCE[self.source]
        return [
            (row, "warning", f"{column} '{vals[field]}' is unknown: {consequence}.")
            for row, vals in pairs
            if vals[field] in unknown
        ]

    def _link(self, good, touched):
        """Link the chunk's rows to their customers; warnings for unknown refs."""
        warnings = self._unknown_ref_warnings(good)
        purchases = self.env["contoso.purchase"]
        members = self.env["contoso.loyalty.member"]
        if self.source == "contacts" and touched:
            # Only new or compared contacts: nothing waits for an unchanged one
            # (its purchases and cards were linked when it was created, and
            # later ones find it by their own upsert and matching).
            purchases._relink(contact_refs=touched)
            members.search([("contact_ref", "in", touched)])._match()
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
        self._bookkeep(
            {
                "state": state,
                "message": failed or self.message,
                "chunk_pending": False,
                "rows_total": max(self.rows_total, self.rows_done),
                "date_end": fields.Datetime.now(),
                **self._error_file_values(),
            }
        )

    def _error_file_values(self):
        """The error file, built once when the import ends. Cells a spreadsheet
        would run as formulas are neutralised (CSV injection)."""
        errors = (
            self.env["contoso.import.error"]
            .sudo()
            .search_fetch([("batch_id", "=", self.id)], ["cells", "reason"])
        )  # the batch's own rows, read to build its file
        if not errors:
            return {"error_file": False, "error_filename": False}
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        header = list(self.header or [])
        writer.writerow([spreadsheet_safe(cell) for cell in [*header, "reason"]])
        for error in errors:
            cells = list(error.cells or [])
            cells += [""] * (len(header) - len(cells))
            writer.writerow(
                [
                    spreadsheet_safe(cell)
                    for cell in [*cells[: len(header)], error.reason]
                ]
            )
        stem = (self.filename or "import").rsplit(".", 1)[0]
        return {
            "error_file": base64.b64encode(out.getvalue().encode("utf-8-sig")),
            "error_filename": f"{stem}-errors.csv",
        }

    def _fail_in_own_transaction(self, message):
        """Mark the batch failed in a transaction of its own: whatever state the
        import's transaction is in, the batch never stays running."""
        with self.env.registry.cursor() as cr:
            cr.execute(
                """
                UPDATE contoso_import_batch
                   SET state = 'failed', message = %s, chunk_pending = false,
                       date_end = now() AT TIME ZONE 'UTC'
                 WHERE id = %s
                """,
                [message, self.id],
            )
        self.invalidate_recordset()

    # -- background ------------------------------------------------------------

    def _earlier_of_source(self):
        """The earlier files of the same source and company still queued or
        being imported, first first: this one waits for them, in the queue."""
        self.ensure_one()
        if not isinstance(self.id, int):
            return self.browse()
        return self.search(
            [
                ("id", "<", self.id),
                ("company_id", "=", self.company_id.id),
                ("source", "=", self.source),
                ("state", "in", ("queued", "running")),
            ],
            order="id",
        )

    def _queued_behind(self):
        # sudo: an earlier file may be another importer's, which this user may
        # not read; only whether one waits is told.
        return bool(self.sudo()._earlier_of_source())

    def _processing_lock_key(self):
        self.ensure_one()
        return [self._table, f"{self.company_id.id}:{self.source}"]

    def _request_lock(self):
        """Whether the user's request may import the file now: the lock of
        _processing_lock, held until the request's transaction ends. Another
        request's file of the source is not committed yet, so _queued_behind
        cannot see it; and a cron run must not start a later file before this
        one's rows are committed."""
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s::regclass::int, hashtext(%s))",
            self._processing_lock_key(),
        )
        return self.env.cr.fetchone()[0]

    @contextlib.contextmanager
    def _processing_lock(self):
        """Yield whether this worker may process the batch, holding a lock that
        no other worker gets meanwhile: one per company and source, so that
        files of one source are imported one at a time, in the order they
        were queued (the cron takes them by id). Two at once would interleave
        their chunks, an older export overwriting a newer one's values, and
        each would compare its rows with last imports read before the other
        wrote them.

        A row lock ends with the first chunk's commit, and a batch is processed
        over many commits: a session advisory lock outlives them. PostgreSQL
        releases it if the worker dies with its connection."""
        key = self._processing_lock_key()
        self.env.cr.execute(
            "SELECT pg_try_advisory_lock(%s::regclass::int, hashtext(%s))", key
        )
        locked = self.env.cr.fetchone()[0]
        try:
            yield locked
        finally:
            if locked:
                self.env.cr.execute(
                    "SELECT pg_advisory_unlock(%s::regclass::int, hashtext(%s))", key
                )

    @api.model
    def _cron_process_queued(self):
        """Process queued and interrupted imports in committed chunks. Two runs
        at once (two cron workers, a run by hand) never process one batch
        twice, nor two files of one source and company at once: each batch is
        processed under its source's lock (another source's file meanwhile
        is imported by the other run)."""
        # A batch is tried once per run: if even marking it failed did not
        # stick, it must not hold up the batches after it.
        tried = []
        while True:
            self.env.flush_all()
            self.env.cr.execute(
                """
                SELECT id FROM contoso_import_batch
                 WHERE state IN ('queued', 'running') AND id != ALL(%s)
                 ORDER BY id LIMIT 1
                """,
                [tried],
            )
            row = self.env.cr.fetchone()
            if not row:
                return
            batch = self.browse(row[0])
            tried.append(batch.id)
            with batch._processing_lock() as locked:
                if not locked:
                    continue  # another worker is importing this source
                # Another worker may have finished it since this transaction
                # began: read it again in a new one.
                self.env["ir.cron"]._commit_progress()
                batch.invalidate_recordset()
                if batch.state not in ("queued", "running"):
                    continue
                # The lock is free between two slices of an earlier file of
                # the source too (that file still running, its next slice
                # triggered): the earlier file goes first.
                if batch._queued_behind():
                    continue
                with lower_cpu_priority(self._import_nice()):
                    finished = batch._process_as_importer()
            if not finished:
                self.env.ref("contoso_sales.ir_cron_contoso_import")._trigger()
                return

    def _process_as_importer(self):
        """One slice of the batch's import, committed; True when it finished."""
        # As the user who imported it, in the batch's company: the cron's
        # superuser must not lend its rights to a queued file.
        batch = self.with_user(self.user_id).with_company(self.company_id)
        try:
            finished = batch._process(commit=True)
        except TransactionRollbackError:
            # The chunk met a user's write: undone, it is imported again from
            # its first row by the next slice, in a new transaction.
            self.env.cr.rollback()
            _logger.info("Import %s: chunk met a concurrent update, retried", batch.id)
            finished = False
        except Exception as exc:  # noqa: BLE001 - the batch says why it stopped
            # Roll back first: that releases the batch row, which the chunk's
            # writes lock and the separate transaction then updates.
            self.env.cr.rollback()
            _logger.exception("Import %s failed", batch.id)
            batch._fail_in_own_transaction(self.env._("Import stopped: %s", exc))
            finished = True
        # Nothing left for this run, finished or not: with work left, Odoo would
        # call the job again in the same run, ten times at least
        # (MIN_RUNS_PER_JOB), and a cron worker is killed once that run exceeds
        # limit_time_cpu or limit_time_real_cron, losing the chunk in progress.
        # The caller's trigger runs the next slice at once, in a run of its own.
        self.env["ir.cron"]._commit_progress(remaining=0)
        return finished

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
        failed = self.filtered(lambda batch: batch.state == "failed")
        failed._check_no_newer_import()
        # A queued or running batch is the cron's already: writing it would wait
        # for the chunk a worker is writing, and could queue it again once
        # finished. Only a failed one is queued again.
        failed._bookkeep({"state": "queued"})
        self.env.ref("contoso_sales.ir_cron_contoso_import")._trigger()
        return True

    def _check_no_newer_import(self):
        """A failed file resumed after a later file of its source and company
        imported rows would write its older values over the later one's."""
        batches = self.filtered(lambda batch: not batch.dry_run)
        if not batches:
            return
        # sudo: a later file may be another importer's; only its name is told,
        # to a user of its company who imports this source. One query for all.
        later = self.sudo().search(
            [
                ("id", ">", min(batches.ids)),
                ("company_id", "in", batches.company_id.ids),
                ("source", "in", batches.mapped("source")),
                ("dry_run", "=", False),
                ("rows_done", ">", 0),
            ],
            order="id",
        )
        for batch in batches:
            newer = later.filtered(
                lambda other, batch=batch: (
                    other.id > batch.id
                    and other.company_id == batch.company_id
                    and other.source == batch.source
                )
            )[:1]
            if newer:
                raise UserError(
                    self.env._(
                        "Import '%(name)s' cannot be resumed: import '%(newer)s' "
                        "of the same source came later and has already imported "
                        "rows, which this older file would overwrite. Import a "
                        "fresh export instead.",
                        name=batch.name,
                        newer=newer.name,
                    )
                )

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
