"""Cleaning one row: dates, amounts, names, e-mails and the row errors."""

import datetime
from decimal import Decimal

from odoo.tests import BaseCase

from ..datahub.normalise import (
    RowError,
    clean_contacts,
    clean_loyalty,
    clean_online,
    clean_pos,
    name_key,
    normalise_email,
    parse_amount,
    parse_date,
)
from ..datahub.reader import SOURCES

TODAY = datetime.date(2024, 6, 1)


def values(source, **given):
    row = dict.fromkeys(SOURCES[source].columns, "")
    row.update(given)
    return row


class TestNormalise(BaseCase):
    def test_dates_in_every_format_of_one_column(self):
        expected = datetime.date(2021, 3, 4)
        for text in (
            "2021-03-04",
            "2021-03-04T10:22:00",
            "2021-03-04 10:22:00.123",
            "2021/03/04",
            "03/04/2021",
            "3/4/2021 10:22 AM",
            "3/4/21",
            "04.03.2021",
            "4 March 2021",
            "04-Mar-2021",
            "March 4, 2021",
            "Mar 4 2021",
            "Thursday, March 4, 2021",
        ):
            self.assertEqual(parse_date(text, "PurchasedOn"), expected, text)
        self.assertEqual(
            parse_date("25/03/2021", "PurchasedOn"),
            datetime.date(2021, 3, 25),
            "a first number above 12 is the day",
        )

    def test_bad_dates(self):
        for text in ("2021-02-30", "13/13/2021", "yesterday", "31 Foo 2021"):
            with self.assertRaises(RowError) as caught:
                parse_date(text, "PurchasedOn")
            self.assertEqual(
                str(caught.exception),
                f"PurchasedOn '{text}' is not a date: use YYYY-MM-DD, MM/DD/YYYY or "
                "a month name such as '4 March 2021'.",
            )

    def test_amounts_with_decimal_commas_thousands_and_symbols(self):
        cases = {
            "12.50": "12.50",
            "12,50": "12.50",
            "12,5": "12.50",
            "1,234.50": "1234.50",
            "1.234,50": "1234.50",
            "1,234": "1234.00",
            "$ 1,234.5": "1234.50",
            "99.90 USD": "99.90",
            "0": "0.00",
        }
        for text, expected in cases.items():
            self.assertEqual(parse_amount(text, "TotalPrice"), Decimal(expected), text)

    def test_negative_and_non_numeric_prices(self):
        for text, reason in (
            ("-12.50", "TotalPrice '-12.50' is negative: an amount must be 0 or more."),
            ("(3.00)", "TotalPrice '(3.00)' is negative: an amount must be 0 or more."),
            ("abc", "TotalPrice 'abc' is not a number."),
            ("12..5", "TotalPrice '12..5' is not a number."),
            ("", "TotalPrice is empty: a purchase needs its amount."),
        ):
            with self.assertRaises(RowError) as caught:
                parse_amount(text, "TotalPrice")
            self.assertEqual(str(caught.exception), reason)

    def test_email_and_name_normalisation(self):
        self.assertEqual(
            normalise_email(" Jane.Doe @Example.COM "), "jane.doe@example.com"
        )
        self.assertEqual(normalise_email("not an address"), "")
        self.assertEqual(name_key("Dupont, Zoé"), "dupont zoe")
        self.assertEqual(name_key("  ZOE   dupont"), "dupont zoe")

    def test_contact_row(self):
        vals = clean_contacts(
            values(
                "contacts",
                ContactId="C1",
                FirstName="Zoé",
                LastName=" Dupont ",
                EMail="Zoe.Dupont@Example.com ",
                DateOfBirth="5/6/1980",
                Country="United States",
                State="WA",
            ),
            TODAY,
        )
        self.assertEqual(vals["name"], "Zoé Dupont")
        self.assertEqual(vals["email"], "zoe.dupont@example.com")
        self.assertEqual(vals["birthdate"], datetime.date(1980, 5, 6))
        self.assertEqual(vals["name_key"], "dupont zoe")

    def test_contact_full_name_last_first(self):
        vals = clean_contacts(
            values("contacts", ContactId="C1", FullName="Dupont, Zoé"), TODAY
        )
        self.assertEqual(vals["name"], "Zoé Dupont")

    def test_missing_keys(self):
        for cleaner, source, column in (
            (clean_contacts, "contacts", "ContactId"),
            (clean_loyalty, "loyalty", "LoyaltyId"),
            (clean_online, "online", "PurchaseId"),
            (clean_pos, "pos", "PurchaseId"),
        ):
            with self.assertRaises(RowError) as caught:
                cleaner(values(source, FullName="A B"), TODAY)
            self.assertEqual(
                str(caught.exception),
                f"{column} is empty: a row without its {column} cannot be imported, "
                "nor updated by a later import.",
            )

    def test_birth_date_in_the_future(self):
        with self.assertRaises(RowError) as caught:
            clean_loyalty(
                values(
                    "loyalty", LoyaltyId="L1", FullName="A B", DateOfBirth="2030-01-01"
                ),
                TODAY,
            )
        self.assertEqual(
            str(caught.exception),
            "DateOfBirth '2030-01-01' is not a plausible birth date.",
        )

    def test_pos_row_and_points(self):
        vals = clean_pos(
            values(
                "pos",
                PurchaseId="P1",
                LoyaltyId="LOYID_1",
                PurchasedOn="4 March 2021",
                TotalPrice="19,99",
                RewardPointsAdded="20",
            ),
            TODAY,
        )
        self.assertEqual(vals["amount"], Decimal("19.99"))
        self.assertEqual(vals["points_added"], 20)
        with self.assertRaises(RowError) as caught:
            clean_pos(
                values(
                    "pos",
                    PurchaseId="P1",
                    PurchasedOn="2021-01-01",
                    TotalPrice="1",
                    RewardPointsAdded="2.5",
                ),
                TODAY,
            )
        self.assertEqual(
            str(caught.exception),
            "RewardPointsAdded '2.5' is not a whole number of points.",
        )
