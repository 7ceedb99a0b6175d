"""Which of a file's values may overwrite what Odoo holds, the way a customer
data platform decides it, per source record and field.

`last` is what the previous import of the record wrote or proposed, `now` what
the record holds today, `incoming` the file's values (None: empty cell).
"""

import datetime
import hashlib


def jsonable(value):
    """A value as stored in a source record's JSON and compared with."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value if value not in ("", False) else None


def row_hash(values):
    """Hash of a row as read (its cells by column, in the source's column
    order), before any cleaning: the cleaning of a cell depends on nothing
    else, so equal hashes mean a row that cleans to the values it had when
    last imported, and the row can be skipped before it is even cleaned.
    The separator is a control character: a row holding one is an error, never
    imported, so two imported rows never join into the same text."""
    text = "\x1f".join(values.values())
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def survive(incoming, now, last=None):
    """(writes, conflicts, imported) for one record.

    - an empty cell never erases what is stored;
    - a field still holding its last imported value follows the file;
    - a field a person changed since the last import keeps its value: when the
      file brings a new value too, it is a conflict (name, Odoo's, file's);
    - without a last import (`last` None: a record made before or by hand),
      only empty fields are the file's to fill, the others are conflicts.
    `imported` is what the source record remembers as last imported.
    """
    writes, conflicts, imported = {}, [], dict(last or {})
    for name, value in incoming.items():
        if value is None:
            continue
        previous = imported.get(name)
        imported[name] = value
        if value == now[name]:
            continue
        # Still what the last import wrote (or, never imported, still empty).
        if now[name] == previous if last is not None else now[name] is None:
            writes[name] = value
        elif last is None or value != previous:
            conflicts.append((name, now[name], value))
    return writes, conflicts, imported
