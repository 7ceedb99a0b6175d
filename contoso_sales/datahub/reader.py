"""Stream a CSV export whatever its encoding, delimiter and header spelling.

`open_source(stream, source)` reads the header, checks that the file is the
source the user picked, and returns a `SourceReader` that yields one `Row` per
record, streaming: only one record is in memory at a time.
"""

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from . import normalise

SNIFF_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _cp1252_fallback(exc):
    """Bytes that are not UTF-8 in a UTF-8 file are read as Windows-1252.

    Exports are sometimes stitched together from two systems: one bad byte
    must not stop the whole file.
    """
    bad = exc.object[exc.start : exc.end]
    return bad.decode("cp1252", errors="replace"), exc.end


codecs.register_error("contoso_cp1252", _cp1252_fallback)


@dataclass(frozen=True)
class Source:
    """One export, described once for reading, staging and upserting.

    `columns` are its canonical column names, `required` those a file must have,
    `key` the column that identifies a record, `clean` turns a row's text into
    typed values (or a RowError), `fields` maps those values to the fields of
    `model` that the import writes, and `link` names the value that points to a
    record of another source: (value, column, source it points to).
    """

    code: str
    label: str
    columns: tuple
    required: tuple
    key: str
    clean: object = None
    model: str = ""
    fields: dict = field(default_factory=dict)
    link: tuple = ()

    def clean_row(self, values, today=None):
        """Typed values of one row, or RowError naming the column and why."""
        normalise.check_cells(values)
        return self.clean(values, today)


SOURCES = {
    "contacts": Source(
        "contacts",
        "Contacts",
        (
            "ContactId",
            "FirstName",
            "LastName",
            "FullName",
            "EMail",
            "DateOfBirth",
            "CreatedOn",
            "Income",
            "Gender",
            "PostCode",
            "State",
            "StreetAddress",
            "City",
            "Country",
            "Occupation",
            "Headshot",
        ),
        ("ContactId", "FirstName", "LastName"),
        "ContactId",
        normalise.clean_contacts,
        "res.partner",
        {
            "name": "name",
            "email": "email",
            "birthdate": "contoso_birthdate",
            "street": "street",
            "zip": "zip",
            "city": "city",
            "state_id": "state_id",
            "country_id": "country_id",
            "function": "function",
        },
    ),
    "loyalty": Source(
        "loyalty",
        "Loyalty members",
        (
            "LoyaltyId",
            "FullName",
            "EMail",
            "DateOfBirth",
            "CreatedOn",
            "RewardPoints",
            "ContactId",
        ),
        ("LoyaltyId", "FullName"),
        "LoyaltyId",
        normalise.clean_loyalty,
        "contoso.loyalty.member",
        {
            "name": "name",
            "email": "email",
            "email_norm": "email_norm",
            "name_key": "name_key",
            "birthdate": "birthdate",
            "created_on": "created_on",
            "points": "points",
            "contact_ref": "contact_ref",
        },
        ("contact_ref", "ContactId", "contacts"),
    ),
    "online": Source(
        "online",
        "Online purchases",
        (
            "PurchaseId",
            "ContactId",
            "PurchasedOn",
            "TotalPrice",
            "ActivityTypeDisplay",
            "Subject",
        ),
        ("PurchaseId", "ContactId", "PurchasedOn", "TotalPrice"),
        "PurchaseId",
        normalise.clean_online,
        "contoso.purchase",
        {
            "contact_ref": "contact_ref",
            "date": "date",
            "amount": "amount_total",
            "activity": "activity_type",
            "subject": "subject",
        },
        ("contact_ref", "ContactId", "contacts"),
    ),
    "pos": Source(
        "pos",
        "Shop purchases",
        (
            "PurchaseId",
            "LoyaltyId",
            "PurchasedOn",
            "TotalPrice",
            "RewardPointsAdded",
            "ActivityTypeDisplay",
            "Subject",
        ),
        ("PurchaseId", "LoyaltyId", "PurchasedOn", "TotalPrice"),
        "PurchaseId",
        normalise.clean_pos,
        "contoso.purchase",
        {
            "loyalty_ref": "loyalty_ref",
            "date": "date",
            "amount": "amount_total",
            "points_added": "points_added",
            "activity": "activity_type",
            "subject": "subject",
        },
        ("loyalty_ref", "LoyaltyId", "loyalty"),
    ),
}

# Header spellings seen in real exports that are not just case/spacing changes.
ALIASES = {
    "email": "EMail",
    "emailaddress": "EMail",
    "mail": "EMail",
    "name": "FullName",
    "dob": "DateOfBirth",
    "birthdate": "DateOfBirth",
    "zip": "PostCode",
    "zipcode": "PostCode",
    "postalcode": "PostCode",
    "street": "StreetAddress",
    "address": "StreetAddress",
    "points": "RewardPoints",
    "price": "TotalPrice",
    "total": "TotalPrice",
    "date": "PurchasedOn",
}


class FileRefused(ValueError):
    """The whole file cannot be imported: the message says why and what to do."""


def header_key(name):
    """'E-Mail', ' full name ', 'CONTACT_ID' -> 'email', 'fullname', 'contactid'."""
    return re.sub(r"[^0-9a-z]", "", (name or "").lower())


def canonical_columns(source):
    known = {header_key(col): col for col in source.columns}
    for alias, col in ALIASES.items():
        if col in source.columns:
            known.setdefault(alias, col)
    return known


def detect_encoding(head):
    """'utf-8-sig' (BOM), 'utf-8' or 'cp1252', from the first bytes of a file."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sample's end is still UTF-8.
        if exc.start < len(head) - 3:
            return "cp1252"
    return "utf-8"


def detect_delimiter(header_line):
    """The delimiter that splits the header line the most, outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class Row:
    """One record: its first line in the file, original cells and canonical values."""

    line: int
    cells: list
    values: dict = field(default_factory=dict)


class SourceReader:
    def __init__(self, text, source, header, delimiter, encoding, header_lines=1):
        self.source = source
        self.header = header
        self.delimiter = delimiter
        self.encoding = encoding
        self._text = text
        self._csv = csv.reader(text, delimiter=delimiter)
        self._offset = header_lines
        self._line = header_lines
        known = canonical_columns(source)
        self.mapping = {}
        self.extra_columns = []
        for index, name in enumerate(header):
            col = known.get(header_key(name))
            if col and col not in self.mapping.values():
                self.mapping[index] = col
            elif (name or "").strip():
                self.extra_columns.append(name.strip())

    def __iter__(self):
        for cells in self._csv:
            line, self._line = self._line + 1, self._offset + self._csv.line_num
            if not "".join(cells).strip():
                continue
            values = dict.fromkeys(self.source.columns, "")
            for index, col in self.mapping.items():
                if index < len(cells):
                    values[col] = cells[index].strip()
            yield Row(line, cells, values)

    def skip(self, count):
        """Skip `count` non-blank records (resuming a batch), without parsing them."""
        skipped = 0
        while skipped < count:
            try:
                cells = next(self._csv)
            except StopIteration:
                return skipped
            self._line = self._offset + self._csv.line_num
            if any(cell.strip() for cell in cells):
                skipped += 1
        return skipped

    def describe(self):
        return (
            f"{self.encoding}, {DELIMITER_NAMES[self.delimiter]}-separated, "
            f"columns {', '.join(self.header)}"
        )


def guess_source(header):
    keys = {header_key(name) for name in header}
    for source in SOURCES.values():
        known = canonical_columns(source)
        wanted = {header_key(col) for col in source.required}
        found = {header_key(known[k]) for k in keys if k in known}
        if wanted <= found:
            return source
    return None


def open_source(binary, source_code, filename=""):
    """A SourceReader over a binary stream, or FileRefused saying why not.

    The stream is wrapped, not read: records are decoded as they are iterated.
    """
    source = SOURCES[source_code]
    name = f"'{filename}'" if filename else "The file"
    if not hasattr(binary, "peek"):
        binary = io.BufferedReader(binary, SNIFF_BYTES)
    head = binary.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    encoding = detect_encoding(head)
    text = io.TextIOWrapper(
        binary, encoding=encoding, errors="contoso_cp1252", newline=""
    )
    header_line, header_lines = "", 0
    for line in text:
        header_lines += 1
        if line.strip():
            header_line = line
            break
    if not header_line:
        raise FileRefused(
            f"{name} is empty: expected a {source.label} export with a header row "
            f"({', '.join(source.columns)})."
        )
    delimiter = detect_delimiter(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter))
    reader = SourceReader(text, source, header, delimiter, encoding, header_lines)
    missing = [col for col in source.required if col not in reader.mapping.values()]
    if missing:
        other = guess_source(header)
        hint = (
            f" It looks like a {other.label} export: pick '{other.label}' in the "
            "wizard."
            if other and other is not source
            else ""
        )
        raise FileRefused(
            f"{name} is not a {source.label} export: expected the columns "
            f"{', '.join(source.required)}, missing {', '.join(missing)}; found "
            f"{', '.join(h.strip() for h in header)}.{hint}"
        )
    return reader


def count_records(binary):
    """Non-blank records after the header, for the progress bar of a queued file."""
    head = binary.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    text = io.TextIOWrapper(
        binary, encoding=detect_encoding(head), errors="contoso_cp1252", newline=""
    )
    first = ""
    for line in text:
        if line.strip():
            first = line
            break
    rows = csv.reader(text, delimiter=detect_delimiter(first))
    return sum(1 for cells in rows if any(cell.strip() for cell in cells))


def check_file(binary, source_code, filename=""):
    """Refuse a file that is not the source, empty or header-only; else None."""
    reader = open_source(binary, source_code, filename)
    if next(iter(reader), None) is None:
        source = SOURCES[source_code]
        name = f"'{filename}'" if filename else "The file"
        raise FileRefused(
            f"{name} has a header but no rows: expected {source.label} rows after "
            f"the header, found none."
        )
    return reader
