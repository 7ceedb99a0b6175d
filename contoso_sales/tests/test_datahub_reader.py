"""Reading the four exports: encodings, delimiters, headers, refusals.

Plain Python, no database: the datahub package has no ORM.
"""

import io

from odoo.tests import BaseCase

from ..datahub.reader import FileRefused, check_file, count_records, open_source

CONTACTS_HEADER = "ContactId,FirstName,LastName,FullName,EMail,DateOfBirth"


def read(data, source="contacts", filename="test.csv"):
    reader = open_source(io.BufferedReader(io.BytesIO(data)), source, filename)
    return reader, list(reader)


class TestReader(BaseCase):
    def test_utf8_with_and_without_bom_and_cp1252_read_the_same(self):
        text = f"{CONTACTS_HEADER}\r\nC1,Zoé,Dupré,Zoé Dupré,zoe@example.com,\r\n"
        for data, encoding in (
            (text.encode("utf-8"), "utf-8"),
            (b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8-sig"),
            (text.encode("cp1252"), "cp1252"),
        ):
            reader, rows = read(data)
            self.assertEqual(reader.encoding, encoding)
            self.assertEqual(rows[0].values["FirstName"], "Zoé")
            self.assertEqual(rows[0].values["ContactId"], "C1")

    def test_cp1252_bytes_late_in_a_utf8_file_are_kept(self):
        data = (
            f"{CONTACTS_HEADER}\n".encode()
            + b"C1,Ann,Lee,,a@x.com,\n" * 5000
            + "C2,José,Núñez,,j@x.com,\n".encode("cp1252")
        )
        reader, rows = read(data)
        self.assertEqual(reader.encoding, "utf-8")
        self.assertEqual(rows[-1].values["FirstName"], "José")
        self.assertEqual(rows[-1].values["LastName"], "Núñez")

    def test_semicolon_and_tab_delimiters(self):
        for delimiter in (";", "\t"):
            header = CONTACTS_HEADER.replace(",", delimiter)
            line = delimiter.join(["C1", "Ann", "Lee", "Lee, Ann", "a@x.com", ""])
            reader, rows = read(f"{header}\n{line}\n".encode())
            self.assertEqual(reader.delimiter, delimiter)
            self.assertEqual(rows[0].values["FullName"], "Lee, Ann")

    def test_headers_in_any_case_with_spaces_dashes_reordered_and_extra(self):
        data = (
            b"E-Mail;last name;Loyalty Notes;first_name;CONTACTID;Full Name\n"
            b"a@x.com;Lee;vip;Ann;C7;Ann Lee\n"
        )
        reader, rows = read(data)
        self.assertEqual(rows[0].values["EMail"], "a@x.com", "E-Mail maps to EMail")
        self.assertEqual(rows[0].values["ContactId"], "C7")
        self.assertEqual(rows[0].values["FirstName"], "Ann")
        self.assertEqual(reader.extra_columns, ["Loyalty Notes"])
        self.assertEqual(rows[0].values["DateOfBirth"], "", "missing column is empty")

    def test_quoted_delimiters_line_breaks_and_crlf(self):
        data = (
            b"PurchaseId,ContactId,PurchasedOn,TotalPrice,Subject\r\n"
            b'P1,C1,2021-03-04,"1,234.50","Doorbell, smart\r\nwith chime"\r\n'
            b"\r\n"
            b"P2,C1,2021-03-05,10,Sensor\r\n"
        )
        _reader, rows = read(data, "online")
        self.assertEqual(len(rows), 2, "the blank line is not a row")
        self.assertEqual(rows[0].values["TotalPrice"], "1,234.50")
        self.assertEqual(rows[0].values["Subject"], "Doorbell, smart\r\nwith chime")
        self.assertEqual([r.line for r in rows], [2, 5], "lines where rows start")

    def test_skip_resumes_after_committed_rows(self):
        lines = "".join(f"C{i},A,B,,,\n" for i in range(10))
        data = f"{CONTACTS_HEADER}\n\n{lines}".encode()
        reader = open_source(io.BufferedReader(io.BytesIO(data)), "contacts")
        self.assertEqual(reader.skip(4), 4)
        rows = list(reader)
        self.assertEqual(rows[0].values["ContactId"], "C4")
        self.assertEqual(rows[0].line, 7)
        self.assertEqual(len(rows), 6)

    def test_count_records(self):
        data = f'{CONTACTS_HEADER}\nC1,A,B,"x\ny",,\n\nC2,A,B,,,\n'.encode()
        self.assertEqual(count_records(io.BufferedReader(io.BytesIO(data))), 2)

    def test_empty_file_refused(self):
        for data in (b"", b"\r\n\r\n"):
            with self.assertRaises(FileRefused) as caught:
                read(data, filename="Contacts.csv")
            self.assertEqual(
                str(caught.exception),
                "'Contacts.csv' is empty: expected a Contacts export with a header "
                "row (ContactId, FirstName, LastName, FullName, EMail, DateOfBirth, "
                "CreatedOn, Income, Gender, PostCode, State, StreetAddress, City, "
                "Country, Occupation, Headshot).",
            )

    def test_header_only_file_refused(self):
        data = f"{CONTACTS_HEADER}\r\n\r\n".encode()
        with self.assertRaises(FileRefused) as caught:
            check_file(io.BufferedReader(io.BytesIO(data)), "contacts", "C.csv")
        self.assertEqual(
            str(caught.exception),
            "'C.csv' has a header but no rows: expected Contacts rows after the "
            "header, found none.",
        )

    def test_wrong_file_refused_with_what_it_looks_like(self):
        data = (
            b"LoyaltyId,FullName,EMail,DateOfBirth,CreatedOn,RewardPoints,ContactId\n"
        )
        with self.assertRaises(FileRefused) as caught:
            read(data, "contacts", "Loyalty.csv")
        self.assertEqual(
            str(caught.exception),
            "'Loyalty.csv' is not a Contacts export: expected the columns ContactId, "
            "FirstName, LastName, missing FirstName, LastName; found LoyaltyId, "
            "FullName, EMail, DateOfBirth, CreatedOn, RewardPoints, ContactId. It "
            "looks like a Loyalty members export: pick 'Loyalty members' in the "
            "wizard.",
        )

    def test_online_file_picked_as_shop_purchases(self):
        data = b"PurchaseId,ContactId,PurchasedOn,TotalPrice\nP1,C1,2021-01-01,3\n"
        with self.assertRaises(FileRefused) as caught:
            read(data, "pos", "OnlinePurchases.csv")
        self.assertIn("missing LoyaltyId", str(caught.exception))
        self.assertIn("pick 'Online purchases'", str(caught.exception))
