"""Turn the text of one exported row into clean values, or say why not.

Each `clean_<source>(values)` takes the canonical-column dict of a `Row` and
returns a dict of typed values; a row that cannot be imported raises
`RowError` whose message names the column, the value and what is expected.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

MONTHS = {
    name.lower(): index
    for index, names in enumerate(
        [
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sep", "Sept"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ],
        start=1,
    )
    for name in names
}
DATE_HINT = "use YYYY-MM-DD, MM/DD/YYYY or a month name such as '4 March 2021'"
_TIME = (
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_ISO = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$")
_NUMERIC = re.compile(rf"^(\d{{1,2}})([/.-])(\d{{1,2}})\2(\d{{2}}|\d{{4}}){_TIME}$")
_DAY_NAME = re.compile(
    rf"^(\d{{1,2}})(?:st|nd|rd|th)?[ -]([A-Za-z]+)\.?,?[ -](\d{{2}}|\d{{4}}){_TIME}$"
)
_NAME_DAY = re.compile(
    rf"^([A-Za-z]+)\.? (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{2}}|\d{{4}}){_TIME}$"
)
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.I)


_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
# A decimal comma and no thousands ('12,5', '480,00': European shop exports).
_COMMA_DECIMAL = re.compile(r"^-?\d+,\d{1,2}$")
_CURRENCY = re.compile(r"[\s\u00a0$€£]|USD|EUR|GBP", re.I)
_COMMA_THOUSANDS = re.compile(r"\d,\d{3}$")
# Control characters other than tab and line breaks (which quoted cells may hold)
# are never data: a NUL byte or an escape in a name is a broken export.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# PostgreSQL integer columns (points) hold at most this.
MAX_INTEGER = 2**31 - 1
# No Contoso purchase or income comes near this; it also keeps amounts within
# the 28 significant digits Python's decimals round exactly.
MAX_AMOUNT = Decimal(10**12)
# Dates outside these years are typos or placeholders (0001-01-01, 9999-12-31).
FIRST_YEAR, LAST_YEAR = 1900, 2100
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_EMAIL = re.compile(r"[^@]+@[^@]+\.[^@]+")
_NAME_TOKEN = re.compile(r"[a-z0-9]+")


class RowError(ValueError):
    """This row cannot be imported; the message is the reason in the error file."""


def _year(text):
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _iso_date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def parse_date(text, column):
    """A date from ISO, US (month first), day-first when the day is above 12,
    dotted European, or month-name formats; times are ignored."""
    # Most exports: plain ISO dates, parsed in C.
    if len(text) == 10 and text[4] == "-" and (date := _iso_date(text)):
        return _plausible(date, text, column)
    value = _WEEKDAY.sub("", " ".join(text.split()))
    parts = None
    if match := _ISO.match(value):
        parts = int(match[1]), int(match[2]), int(match[3])
    elif match := _NUMERIC.match(value):
        first, sep, second, year = int(match[1]), match[2], int(match[3]), match[4]
        # US exports put the month first; a first number above 12 can only be a
        # day, and dotted dates are European (day first).
        day_first = first > 12 or sep == "."
        month, day = (second, first) if day_first else (first, second)
        parts = _year(year), month, day
    elif (match := _DAY_NAME.match(value)) and match[2].lower() in MONTHS:
        parts = _year(match[3]), MONTHS[match[2].lower()], int(match[1])
    elif (match := _NAME_DAY.match(value)) and match[1].lower() in MONTHS:
        parts = _year(match[3]), MONTHS[match[1].lower()], int(match[2])
    error = RowError(f"{column} '{text}' is not a date: {DATE_HINT}.")
    if not parts:
        raise error
    try:
        date = datetime.date(*parts)
    except ValueError:
        raise error from None
    return _plausible(date, text, column)


def _plausible(date, text, column):
    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        raise RowError(
            f"{column} '{text}' is out of range: a date must be between "
            f"{FIRST_YEAR} and {LAST_YEAR}."
        )
    return date


def parse_decimal(text, column):
    """'1,234.50', '1.234,50', '12,5', '$ 12.50', '12.50 USD' -> Decimal."""
    if _PLAIN_NUMBER.match(text):
        return _in_range(Decimal(text), text, column)
    if _COMMA_DECIMAL.match(text):
        return _in_range(Decimal(text.replace(",", ".")), text, column)
    value = _CURRENCY.sub("", text)
    negative = value.startswith("(") and value.endswith(")")
    value = value.strip("()")
    if "," in value and "." in value:
        # The last separator is the decimal one.
        thousands = "," if value.rfind(",") < value.rfind(".") else "."
        value = value.replace(thousands, "").replace(",", ".")
    elif value.count(",") == 1 and not _COMMA_THOUSANDS.search(value):
        value = value.replace(",", ".")
    elif "," in value:
        value = value.replace(",", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"{column} '{text}' is not a number.") from None
    if not number.is_finite():
        raise RowError(f"{column} '{text}' is not a number.")
    return _in_range(-number if negative else number, text, column)


def _in_range(number, text, column):
    if abs(number) >= MAX_AMOUNT:
        raise RowError(
            f"{column} '{text}' is out of range: it must be below {MAX_AMOUNT:,}."
        )
    return number


def parse_amount(text, column):
    if not text:
        raise RowError(f"{column} is empty: a purchase needs its amount.")
    number = parse_decimal(text, column)
    if number < 0:
        raise RowError(f"{column} '{text}' is negative: an amount must be 0 or more.")
    return number.quantize(Decimal("0.01"))


def parse_points(text, column):
    if not text:
        return 0
    number = parse_decimal(text, column)
    if number < 0:
        raise RowError(f"{column} '{text}' is negative: points must be 0 or more.")
    if number != number.to_integral_value():
        raise RowError(f"{column} '{text}' is not a whole number of points.")
    if number > MAX_INTEGER:
        raise RowError(
            f"{column} '{text}' is out of range: points must be at most "
            f"{MAX_INTEGER:,}."
        )
    return int(number)


def clean_ref(text):
    """An id without the invisible characters (Unicode format: BOM, zero-width,
    bidi marks) that pasted exports and editors leave in it: 'C1\u200b' is C1,
    never another contact."""
    if text.isascii():
        # No format character is ASCII: most ids, checked in C.
        return text.strip()
    return "".join(c for c in text if unicodedata.category(c) != "Cf").strip()


def normalise_email(text):
    """Lower case, no spaces nor invisible characters:
    ' Jane.Doe @Example.COM' -> 'jane.doe@example.com'."""
    email = "".join(clean_ref(text).split()).lower()
    return email if _EMAIL.fullmatch(email) else ""


def clean_name(text):
    """'Doe,  Jane' -> 'Jane Doe'; spaces collapsed."""
    name = " ".join(text.split())
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if first and last:
            name = f"{first} {last}"
    return name


def strip_accents(text):
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_tokens(text):
    return sorted(_NAME_TOKEN.findall(strip_accents(clean_name(text)).lower()))


def name_key(text):
    """Order, accents, case and 'Last, First' do not matter:
    'Dupont, Zoé' and 'zoe DUPONT' -> 'dupont zoe'."""
    return " ".join(name_tokens(text))


def check_cells(values):
    """RowError naming the first column that holds a control character."""
    # One search over the whole row: a clean row (nearly all) costs one call,
    # not one per cell.
    if not _CONTROL.search("".join(values.values())):
        return
    for column, text in values.items():
        if text and _CONTROL.search(text):
            char = _CONTROL.search(text)[0]
            raise RowError(
                f"{column} holds the control character U+{ord(char):04X}: remove "
                "it from the export (a NUL byte or an escape is never data)."
            )


def spreadsheet_safe(cell):
    """A cell a spreadsheet shows as text: formulas (CSV injection) get a quote.

    A plain signed number ('-5') is no formula and stays as it was."""
    text = "" if cell is None else str(cell)
    if text.startswith(_FORMULA_START) and not _SIGNED_NUMBER.match(text):
        return f"'{text}"
    return text


def _key(values, column):
    ref = clean_ref(values[column])
    if not ref:
        raise RowError(
            f"{column} is empty: a row without its {column} cannot be imported, "
            "nor updated by a later import."
        )
    return ref


def _optional_date(values, column, today):
    text = values[column]
    if not text:
        return None
    date = parse_date(text, column)
    if column == "DateOfBirth" and not datetime.date(1900, 1, 1) <= date <= today:
        raise RowError(f"DateOfBirth '{text}' is not a plausible birth date.")
    return date


def _today(today):
    return today or datetime.date.today()


def clean_contacts(values, today=None):
    today = _today(today)
    ref = _key(values, "ContactId")
    first, last = (
        " ".join(values["FirstName"].split()),
        " ".join(values["LastName"].split()),
    )
    name = f"{first} {last}".strip() or clean_name(values["FullName"])
    if not name:
        raise RowError(
            f"Contact {ref} has no name: fill FirstName and LastName or FullName."
        )
    email = normalise_email(values["EMail"])
    income = values["Income"]
    return {
        "ref": ref,
        "name": name,
        "email": email or " ".join(values["EMail"].split()) or None,
        "email_norm": email or None,
        "name_key": name_key(name),
        "birthdate": _optional_date(values, "DateOfBirth", today),
        "created_on": _optional_date(values, "CreatedOn", today),
        "income": parse_decimal(income, "Income") if income else None,
        "gender": values["Gender"] or None,
        "zip": values["PostCode"] or None,
        "state": values["State"] or None,
        "street": " ".join(values["StreetAddress"].split()) or None,
        "city": values["City"] or None,
        "country": values["Country"] or None,
        "function": values["Occupation"] or None,
    }


def clean_loyalty(values, today=None):
    today = _today(today)
    ref = _key(values, "LoyaltyId")
    name = clean_name(values["FullName"])
    if not name:
        raise RowError(f"Loyalty member {ref} has no FullName.")
    email = normalise_email(values["EMail"])
    return {
        "ref": ref,
        "name": name,
        "email": email or " ".join(values["EMail"].split()) or None,
        "email_norm": email or None,
        "name_key": name_key(name),
        "birthdate": _optional_date(values, "DateOfBirth", today),
        "created_on": _optional_date(values, "CreatedOn", today),
        "points": parse_points(values["RewardPoints"], "RewardPoints"),
        "contact_ref": clean_ref(values["ContactId"]) or None,
    }


def _purchase(values):
    ref = _key(values, "PurchaseId")
    if not values["PurchasedOn"]:
        raise RowError("PurchasedOn is empty: a purchase needs its date.")
    return {
        "ref": ref,
        "date": parse_date(values["PurchasedOn"], "PurchasedOn"),
        "amount": parse_amount(values["TotalPrice"], "TotalPrice"),
        "activity": values["ActivityTypeDisplay"] or None,
        "subject": " ".join(values["Subject"].split()) or None,
    }


def clean_online(values, today=None):
    vals = _purchase(values)
    vals["contact_ref"] = clean_ref(values["ContactId"]) or None
    return vals


def clean_pos(values, today=None):
    vals = _purchase(values)
    vals["loyalty_ref"] = clean_ref(values["LoyaltyId"]) or None
    vals["points_added"] = parse_points(
        values["RewardPointsAdded"], "RewardPointsAdded"
    )
    return vals
