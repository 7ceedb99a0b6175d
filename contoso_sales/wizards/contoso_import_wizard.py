import base64
import hashlib
import io
import logging

from odoo import fields, models
from odoo.exceptions import UserError
from psycopg2.errors import TransactionRollbackError

from ..datahub.reader import FileRefused, check_file, count_records
from ..models.contoso_import_batch import SOURCE_SELECTION

_logger = logging.getLogger(__name__)


class ContosoImportWizard(models.TransientModel):
    """Upload one export; small files import now, large ones in the background."""

    _name = "contoso.import.wizard"
    _description = "Import Customer Data"

    source = fields.Selection(SOURCE_SELECTION, string="Source", required=True)
    file = fields.Binary(string="File", required=True)
    filename = fields.Char(string="File Name")
    dry_run = fields.Boolean(
        string="Dry Run",
        help="Read and check the whole file and report what would be created, "
        "updated and refused, without writing anything.",
    )

    def _sync_max_rows(self):
        param = self.env["ir.config_parameter"].sudo()  # reading a setting only
        return int(param.get_param("contoso_sales.import_sync_max_rows", 2000))

    def action_import(self):
        self.ensure_one()
        data = base64.b64decode(self.file or b"")
        try:
            # Refuse the wrong or empty file now, before anything is queued.
            check_file(io.BufferedReader(io.BytesIO(data)), self.source, self.filename)
        except FileRefused as exc:
            raise UserError(str(exc)) from None
        # Records, not line breaks: quoted cells may hold line breaks and old
        # Mac exports end lines with CR only. Counting streams the file once.
        rows = count_records(io.BufferedReader(io.BytesIO(data)))
        large = rows > self._sync_max_rows()
        batch = self.env["contoso.import.batch"].create(
            {
                "source": self.source,
                "filename": self.filename,
                "file": self.file,
                "checksum": hashlib.sha256(data).hexdigest(),
                "dry_run": self.dry_run,
            }
        )
        batch._bookkeep({"rows_total": rows})
        # A small file too waits for an earlier file of its source still in
        # the queue, or being imported by another request: files of a source
        # are imported in the order they came, one at a time.
        if large or batch._queued_behind() or not batch._request_lock():
            self.env.ref("contoso_sales.ir_cron_contoso_import")._trigger()
        else:
            try:
                with self.env.cr.savepoint():
                    batch._process()
            except TransactionRollbackError:
                raise  # a user saved one of its records: Odoo runs the request again
            except Exception as exc:  # noqa: BLE001 - the batch says why it stopped
                # The batch exists only in this request's transaction: it ends
                # failed there, with what was imported before the failure undone.
                _logger.exception("Import %s failed", batch.id)
                batch._finish(failed=self.env._("Import stopped: %s", exc))
        return {
            "type": "ir.actions.act_window",
            "res_model": "contoso.import.batch",
            "res_id": batch.id,
            "view_mode": "form",
            "target": "current",
        }
