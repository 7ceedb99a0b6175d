"""Realistic sample exports with the mess real ones have (see DATA.md).

`write_samples(folder, customers=5000)` writes Contacts.csv,
LoyaltySchemeCustomers.csv, OnlinePurchases.csv and POSPurchases.csv and
returns their paths by source. Rows are written as they are generated, so
any size fits in constant memory. The same seed gives the same files.
"""

import csv
import datetime
import random
from pathlib import Path

FIRST = [
    "Zoé",
    "Ana",
    "Liam",
    "Noah",
    "Emma",
    "Olivia",
    "Ava",
    "Mia",
    "Lucas",
    "Hugo",
    "Chloé",
    "Léa",
    "Ethan",
    "Mason",
    "Aria",
    "Sofia",
    "Mateo",
    "Elijah",
    "James",
    "Amelia",
    "Harper",
    "Evelyn",
    "Björn",
    "Ingrid",
    "Nuño",
    "José",
    "María",
    "Renée",
    "Jérôme",
    "Amélie",
    "Owen",
    "Caleb",
    "Nora",
    "Ruby",
    "Ivy",
    "Jack",
    "Leo",
    "Max",
    "Sam",
    "Kai",
]
LAST = [
    "Dupont",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernández",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Pérez",
    "Thompson",
    "White",
    "Harris",
    "Sánchez",
    "Clark",
    "Ramírez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Müller",
    "Østergaard",
]
CITIES = [
    ("Redmond", "WA", "98052"),
    ("Seattle", "WA", "98101"),
    ("Portland", "OR", "97201"),
    ("San Francisco", "CA", "94105"),
    ("Los Angeles", "CA", "90001"),
    ("Austin", "TX", "73301"),
    ("Denver", "CO", "80202"),
    ("Chicago", "IL", "60601"),
    ("Boston", "MA", "02108"),
    ("New York", "NY", "10001"),
    ("Miami", "FL", "33101"),
]
PRODUCTS = [
    ("Smart doorbell", 129.99),
    ("Thermostat", 199.0),
    ("Alarm system, 8 sensors", 549.5),
    ("Moisture sensor", 34.95),
    ("Monitoring, 1 year", 240.0),
    ('Camera "Outdoor" 4K', 179.0),
]
OCCUPATIONS = ["Engineer", "Teacher", "Nurse", "Designer", "Accountant", "Chef"]
START = datetime.date(2019, 1, 1)


def _date_formats(day, rng):
    """Several formats in one column, as exports merged from systems do."""
    pick = rng.random()
    if pick < 0.6:
        return day.isoformat()
    if pick < 0.8:
        return f"{day.month}/{day.day}/{day.year}"
    if pick < 0.9:
        return day.strftime("%d %B %Y")
    return f"{day.isoformat()}T{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:00"


def _email(first, last, rng):
    email = f"{first}.{last}@example.com".lower()
    for src, dst in (("é", "e"), ("è", "e"), ("ö", "o"), ("ø", "o"), ("ü", "u")):
        email = email.replace(src, dst)
    for src, dst in (("á", "a"), ("í", "i"), ("ñ", "n"), ("ó", "o"), ("ë", "e")):
        email = email.replace(src, dst)
    if rng.random() < 0.1:
        email = f" {email.title()} "
    return email


def _people(customers, rng):
    for index in range(1, customers + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(
            days=rng.randint(0, 25000)
        )
        yield index, first, last, f"{first}.{last}.{index}", birth


def write_samples(folder, customers=5000, seed=7, purchases_per_customer=5):
    rng = random.Random(seed)  # noqa: S311 - sample data, not security
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "contacts": folder / "Contacts.csv",
        "loyalty": folder / "LoyaltySchemeCustomers.csv",
        "online": folder / "OnlinePurchases.csv",
        "pos": folder / "POSPurchases.csv",
    }
    loyalty_ids = []
    # Contacts: UTF-8 with BOM, comma, CRLF, a few rows without key, duplicates.
    with (
        open(paths["contacts"], "w", encoding="utf-8-sig", newline="") as contacts,
        open(paths["loyalty"], "w", encoding="cp1252", newline="") as loyalty,
    ):
        cw = csv.writer(contacts, lineterminator="\r\n")
        cw.writerow(
            [
                "ContactId",
                "FirstName",
                "LastName",
                "FullName",
                "E-Mail",
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
            ]
        )
        # Loyalty: Windows-1252, semicolons, other header case.
        lw = csv.writer(loyalty, delimiter=";", lineterminator="\r\n")
        lw.writerow(
            [
                "loyaltyid",
                "Full Name",
                "EMail",
                "Date of Birth",
                "CreatedOn",
                "RewardPoints",
                "ContactId",
            ]
        )
        for index, first, last, _tag, birth in _people(customers, rng):
            ref = f"C{index:06d}"
            email = _email(f"{first}{index}", last, rng)
            city, state, zip_code = rng.choice(CITIES)
            created = START + datetime.timedelta(days=rng.randint(0, 1500))
            row = [
                "" if rng.random() < 0.002 else ref,
                first,
                last,
                f"{first} {last}",
                email,
                _date_formats(birth, rng),
                _date_formats(created, rng),
                str(rng.randint(20, 200) * 1000),
                rng.choice(["Female", "Male", ""]),
                zip_code,
                state,
                f"{rng.randint(1, 999)} Main St, Apt {rng.randint(1, 40)}",
                city,
                rng.choice(["United States", "USA", "US"]),
                rng.choice(OCCUPATIONS),
                f"https://img.example.com/{ref}.png",
            ]
            cw.writerow(row)
            if rng.random() < 0.003:
                cw.writerow(row)
            if rng.random() < 0.3:
                loyalty_ref = f"LOYID_{index:06d}"
                loyalty_ids.append((loyalty_ref, ref))
                known = rng.random() < 0.4
                name = f"{last}, {first}" if rng.random() < 0.3 else f"{first} {last}"
                if rng.random() < 0.05:
                    name = name.replace("e", "é", 1)
                lw.writerow(
                    [
                        loyalty_ref,
                        name,
                        "" if rng.random() < 0.2 else email.upper(),
                        birth.isoformat() if rng.random() < 0.9 else "",
                        created.strftime("%m/%d/%Y"),
                        rng.randint(0, 5000),
                        ref if known else "",
                    ]
                )
    purchases = customers * purchases_per_customer
    with open(paths["online"], "w", encoding="utf-8", newline="") as online:
        ow = csv.writer(online, lineterminator="\r\n")
        ow.writerow(
            [
                "PurchaseId",
                "ContactId",
                "PurchasedOn",
                "TotalPrice",
                "ActivityTypeDisplay",
                "Subject",
            ]
        )
        for index in range(1, purchases // 2 + 1):
            product, price = rng.choice(PRODUCTS)
            day = START + datetime.timedelta(days=rng.randint(0, 2000))
            contact = rng.randint(1, customers)
            if rng.random() < 0.002:
                contact = customers + rng.randint(1, 1000)  # unknown contact
            ow.writerow(
                [
                    f"WEB{index:07d}",
                    f"C{contact:06d}",
                    _date_formats(day, rng),
                    "-1"
                    if rng.random() < 0.001
                    else f"{price * rng.randint(1, 3):.2f}",
                    "Online Purchase",
                    f"{product}, order {index}",
                ]
            )
    # Shop purchases: semicolons and decimal commas.
    with open(paths["pos"], "w", encoding="utf-8", newline="") as pos:
        pw = csv.writer(pos, delimiter=";", lineterminator="\n")
        pw.writerow(
            [
                "PurchaseId",
                "LoyaltyId",
                "PurchasedOn",
                "TotalPrice",
                "RewardPointsAdded",
                "ActivityTypeDisplay",
                "Subject",
            ]
        )
        for index in range(1, purchases - purchases // 2 + 1):
            product, price = rng.choice(PRODUCTS)
            day = START + datetime.timedelta(days=rng.randint(0, 2000))
            loyalty_ref = rng.choice(loyalty_ids)[0] if loyalty_ids else "LOYID_000000"
            if rng.random() < 0.002:
                loyalty_ref = f"LOYID_9{index:06d}"  # unknown card
            amount = price * rng.randint(1, 2)
            pw.writerow(
                [
                    f"POS{index:07d}",
                    loyalty_ref,
                    "31/02/2021" if rng.random() < 0.001 else _date_formats(day, rng),
                    f"{amount:.2f}".replace(".", ","),
                    int(amount // 10),
                    "Store Purchase",
                    product,
                ]
            )
    return paths
