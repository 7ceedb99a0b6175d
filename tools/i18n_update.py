#!/usr/bin/env python3
"""Refresh contoso_sales translations after a .pot export.

contoso_sales renames crm labels ("Opportunity" -> "Deal"). A label of a crm field
is one ``ir.model.fields`` row with two xml ids, ``crm.field_crm_lead__name`` and
``contoso_sales.field_crm_lead__name``. When French is loaded, Odoo's
TranslationImporter keys every term by xml id and loads the modules dependencies
first: a term of ours filed under ``contoso_sales.*`` only competes with crm's in
the same UPDATE (PostgreSQL keeps either), while a term filed under ``crm.*``
replaces crm's own before anything is written. So each overridden field or
selection label must also reference the xml ids of the modules that first defined
it (and of their related or inherited copies: ``crm.activity.report.tag_ids``, the
mass conversion wizard). Odoo's export only writes our own xml ids, and the .po
reader takes its references from the .pot, hence this script, run after each
export:

    cd /work/main
    PYTHONPATH=$ODOO $VENV/bin/python $ODOO/odoo-bin i18n export \\
        -c $STATE/odoo.conf -d contoso_test -l pot \\
        -o contoso_sales/i18n/contoso_sales.pot contoso_sales
    $VENV/bin/python tools/i18n_update.py
    # translate the new empty msgstr of contoso_sales/i18n/*.po, then check:
    $VENV/bin/python tools/i18n_update.py --check

It (a) adds to the .pot the crm / sale_crm / sales_team references of every field
and selection label contoso_sales overrides with a new text, and (b) merges the
.pot into every .po of the addon like ``msgmerge``: translations are kept,
references come from the .pot, new strings get an empty msgstr, strings gone from
the .pot are dropped. It is idempotent. ``--check`` changes nothing and exits 1
when a .po has an empty translation or a placeholder that differs from its msgid.

Options: ``--odoo`` Odoo source (default $ODOO_PATH or
~/.cache/contoso_sales/odoo-19.0), ``--base`` modules whose labels we override.
Needs polib (in the Odoo venv).
"""

import argparse
import os
import re
import sys
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parent.parent
ADDON = "contoso_sales"
DEFAULT_ODOO = Path(
    os.environ.get("ODOO_PATH", Path.home() / ".cache" / "contoso_sales" / "odoo-19.0")
)
DEFAULT_BASES = ("crm", "sale_crm", "sales_team")
# model:ir.model.fields,help:crm.field_crm_lead__name
# model:ir.model.fields.selection,name:crm.selection__crm_lead__type__opportunity
LABEL_REF = re.compile(
    r"^(?P<kind>model:ir\.model\.fields(?:\.selection)?,\w+):"
    r"(?P<module>\w+)\.(?P<name>(?:field|selection)__?\w+)$"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdrf]|%[sdrf]|\{\w*\}")


def label_key(name):
    """What identifies a label across models: the field name for a field
    (``field_crm_lead__tag_ids`` -> ``tag_ids``), field and value for a
    selection (``selection__crm_lead__type__lead`` -> ``type__lead``)."""
    parts = name.split("__")
    return "__".join(parts[-2:]) if name.startswith("selection__") else parts[-1]


def base_index(odoo, module):
    """{(kind, xml name): entry} of a base module's .pot."""
    pot_path = odoo / "addons" / module / "i18n" / f"{module}.pot"
    if not pot_path.exists():
        sys.exit(f"{pot_path} not found: pass --odoo or drop {module} from --base")
    index = {}
    for entry in polib.pofile(str(pot_path)):
        for ref, _line in entry.occurrences:
            match = LABEL_REF.match(ref)
            if match and match["module"] == module:
                index[match["kind"], match["name"]] = entry
    return module, index


def base_references(entry, bases):
    """References of the base modules whose label our entry replaces."""
    refs = set()
    for ref, _line in entry.occurrences:
        match = LABEL_REF.match(ref)
        if not match or match["module"] != ADDON:
            continue
        kind, name = match["kind"], match["name"]
        for module, index in bases:
            base_entry = index.get((kind, name))
            if base_entry is None or base_entry.msgid == entry.msgid:
                continue  # not a base label, or the same text: nothing to win
            refs.add(f"{kind}:{module}.{name}")
            # Related and inherited copies share the base entry and field name.
            for other, _line in base_entry.occurrences:
                other_match = LABEL_REF.match(other)
                if (
                    other_match
                    and other_match["kind"] == kind
                    and other_match["module"] == module
                    and label_key(other_match["name"]) == label_key(name)
                ):
                    refs.add(other)
    return refs


def add_base_references(pot, bases):
    added = 0
    for entry in pot:
        known = {ref for ref, _line in entry.occurrences}
        new = base_references(entry, bases) - known
        if new:
            entry.occurrences = sorted(
                entry.occurrences + [(ref, "") for ref in new],
                key=lambda occurrence: occurrence[0],
            )
            added += len(new)
    return added


def merge(po, pot):
    po.merge(pot)
    for entry in [entry for entry in po if entry.obsolete]:
        po.remove(entry)
    po.sort(key=lambda entry: (entry.msgid, entry.msgctxt or ""))


def problems(po):
    for entry in po:
        if not entry.msgstr:
            yield f"untranslated: {entry.msgid!r}"
        elif sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(
            PLACEHOLDER.findall(entry.msgstr)
        ):
            yield f"placeholders differ: {entry.msgid!r} -> {entry.msgstr!r}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odoo", type=Path, default=DEFAULT_ODOO)
    parser.add_argument("--base", nargs="+", default=DEFAULT_BASES)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    i18n = REPO / ADDON / "i18n"
    pot_path = i18n / f"{ADDON}.pot"
    po_paths = sorted(i18n.glob("*.po"))
    if args.check:
        issues = [
            f"{path.name}: {issue}"
            for path in po_paths
            for issue in problems(polib.pofile(str(path)))
        ]
        print("\n".join(issues) or "all translated")
        return 1 if issues else 0

    pot = polib.pofile(str(pot_path), wrapwidth=78)
    bases = [base_index(args.odoo, module) for module in args.base]
    added = add_base_references(pot, bases)
    pot.save(str(pot_path))
    print(f"{pot_path.name}: {added} base references added")
    for path in po_paths:
        po = polib.pofile(str(path), wrapwidth=78)
        merge(po, pot)
        po.save(str(path))
        empty = sum(1 for entry in po if not entry.msgstr)
        print(f"{path.name}: {len(po)} strings, {empty} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
