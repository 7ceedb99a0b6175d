"""Indexes that Odoo made for a field and keeps after the field changes."""

from odoo.tools import SQL
from odoo.tools.sql import make_index_name


def drop_old_indexes(cr, table, dropped, narrowed=()):
    """Drop the field indexes Odoo made on `table` for the `dropped` fields,
    and those of the `narrowed` fields unless they already skip NULLs (Odoo
    then makes them again, without NULLs)."""
    names = [make_index_name(table, name) for name in dropped]
    full = [make_index_name(table, name) for name in narrowed]
    cr.execute(
        """
        SELECT indexname FROM pg_indexes
         WHERE tablename = %s AND (indexname = ANY(%s)
               OR indexname = ANY(%s) AND indexdef NOT LIKE '%%WHERE%%')
        """,
        [table, names, full],
    )
    for (name,) in cr.fetchall():
        cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
