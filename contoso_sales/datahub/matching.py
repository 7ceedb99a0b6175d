"""Find the contact a loyalty member is, with a score and the reasons.

The reasons are kept as codes with their values (`reason`), not as words: the
database stores them so (`contoso.loyalty.member.match_reason_data`), and each
reader sees them in his own language (`match_reason`). `describe` gives them
in English, as the templates below, which the model translates.

Contacts are indexed in dicts by normalised e-mail, by name key + birth date,
by birth date and by name token. A member is compared only with the contacts
of its own blocks (same e-mail, same birth date, a shared name token), never
with every contact: the cost grows with the block sizes, not with
members x contacts.
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

AUTO_THRESHOLD = 90
REVIEW_THRESHOLD = 60
# A name token shared by more contacts than this (e.g. "smith") is too common
# to narrow anything down: it does not make a block.
BLOCK_LIMIT = 200


# code: English words, with the reason's values by name
REASON_TEMPLATES = {
    "email_same": "same e-mail address (%(email)s)",
    "name_same": "same name (ignoring accents, case and word order)",
    "name_similar": "name %(percent)s%% similar",
    "email_similar": "e-mail %(percent)s%% similar",
    "dob_same": "same birth date (%(date)s)",
    "dob_different": (
        "different birth date (%(file)s in the loyalty file, %(contact)s on the "
        "contact)"
    ),
    "name_dob_shared": "%(count)s contacts have this name and birth date",
    "email_shared": "%(count)s contacts share this e-mail address",
    "nothing_alike": "no contact with this e-mail, name or birth date",
    "ref_given": "ContactId %(ref)s given in the loyalty file",
    "ref_unknown": "ContactId %(ref)s is unknown",
    # a reason stored as words before the codes (kept as it was written)
    "text": "%(text)s",
    # never stored: Why says it first when a person linked or proposed another
    # contact than the one the import found (the model's _chosen_by_hand)
    "hand_other": (
        "another contact chosen by a person (the reasons below are about the "
        "contact the import found: Reasons About)"
    ),
    "hand_none": "contact chosen by a person (the reasons below are the import's)",
    "hand_cleared": (
        "contact removed by a person (the reasons below are about the contact "
        "the import found: Reasons About)"
    ),
}


def reason(code, **values):
    """One reason: its code and its values (plain strings and numbers)."""
    return [code, values]


# the values that are dates (ISO, as stored), shown in the reader's format
DATE_VALUES = {"dob_same": ("date",), "dob_different": ("file", "contact")}


def describe(reasons, templates=None, format_date=None):
    """The reasons in words, joined: English by default, else in the language
    of `templates` ({code: words with the same %(name)s values}), with the
    dates given by `format_date` (an ISO date string to the reader's words;
    as stored without it). A reason these words do not know (a code of a
    later version, values missing) is shown as its code and values, not
    dropped."""
    templates = templates or REASON_TEMPLATES
    words = []
    for code, values in reasons:
        try:
            if format_date and code in DATE_VALUES:
                values = {
                    name: format_date(value) if name in DATE_VALUES[code] else value
                    for name, value in values.items()
                }
            words.append(templates[code] % values)
        except (KeyError, TypeError, ValueError):
            words.append(f"{code} {json.dumps(values, ensure_ascii=False)}")
    return "; ".join(words)


def _pattern(template):
    parts = re.split(r"(%\(\w+\)s|%%)", template)
    regex = "".join(
        f"(?P<{part[2:-2]}>.+?)"
        if part.startswith("%(")
        else "%"
        if part == "%%"
        else re.escape(part)
        for part in parts
    )
    return re.compile(f"^{regex}$")


_PATTERNS = {
    code: _pattern(template)
    for code, template in REASON_TEMPLATES.items()
    if code != "text"
}
_NUMBERS = ("percent", "count")


def parse(words):
    """The reasons of words `describe` wrote in English (as stored before the
    codes): each reason its code and values; a piece no template reads is
    kept as words (code "text")."""
    reasons = []
    for piece in words.split("; "):
        for code, pattern in _PATTERNS.items():
            found = pattern.match(piece)
            if found:
                values = {
                    name: int(value) if name in _NUMBERS and value.isdigit() else value
                    for name, value in found.groupdict().items()
                }
                reasons.append(reason(code, **values))
                break
        else:
            reasons.append(reason("text", text=piece))
    return reasons


def encode(reasons):
    """The reasons as stored: JSON, compact."""
    return json.dumps(reasons, separators=(",", ":"), ensure_ascii=False)


def decode(data):
    """The stored reasons as (code, values) pairs; anything else stored there
    (written by hand) is shown as it is, as words."""
    if not data:
        return []
    try:
        reasons = json.loads(data)
    except (ValueError, RecursionError):
        # not JSON, or JSON nested too deep to read (written by hand)
        reasons = None
    if isinstance(reasons, list) and all(
        isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], dict)
        for item in reasons
    ):
        return reasons
    return [["text", {"text": data}]]


@dataclass
class Match:
    partner_id: int | None
    score: int
    state: str  # auto, review or none
    reasons: list = field(default_factory=list)

    @property
    def reason(self):
        """In English (see `describe`)."""
        return describe(self.reasons)


def similarity(left, right):
    if not left or not right:
        return 0.0
    if left == right:
        # What SequenceMatcher says too, without its tables: most members
        # found by e-mail have the contact's very name.
        return 1.0
    return SequenceMatcher(None, left, right).ratio()


def similarity_bound(left, right):
    """An upper bound of `similarity`, from the lengths alone (no matching)."""
    if not left or not right:
        return 0.0
    return 2 * min(len(left), len(right)) / (len(left) + len(right))


def _local(email):
    return (email or "").split("@")[0]


class ContactIndex:
    def __init__(
        self, contacts, auto=AUTO_THRESHOLD, review=REVIEW_THRESHOLD, tokens=None
    ):
        """`contacts`: iterable of dicts with id, name_key, email_norm, birthdate.
        `tokens`: the name tokens whose blocks `contacts` hold whole (None: all
        of them); a token's block is only complete, and so only usable, if
        every contact with that token was given."""
        self.auto, self.review = auto, review
        self.by_email = defaultdict(list)
        self.by_name_dob = defaultdict(list)
        self.by_dob = defaultdict(list)
        self.by_token = defaultdict(list)
        for contact in contacts:
            if contact["email_norm"]:
                self.by_email[contact["email_norm"]].append(contact)
            if contact["birthdate"]:
                self.by_dob[contact["birthdate"]].append(contact)
                if contact["name_key"]:
                    key = (contact["name_key"], contact["birthdate"])
                    self.by_name_dob[key].append(contact)
            for token in set((contact["name_key"] or "").split()):
                if tokens is None or token in tokens:
                    self.by_token[token].append(contact)

    def _decide(self, partner_id, score, reasons):
        score = max(0, min(100, round(score)))
        if score >= self.auto:
            state = "auto"
        elif score >= self.review:
            state = "review"
        else:
            return Match(None, score, "none", reasons)
        return Match(partner_id, score, state, reasons)

    def _dob_words(self, member, contact):
        if not member["birthdate"] or not contact["birthdate"]:
            return 0, None
        if member["birthdate"] == contact["birthdate"]:
            return 1, reason("dob_same", date=str(member["birthdate"]))
        return -1, reason(
            "dob_different",
            file=str(member["birthdate"]),
            contact=str(contact["birthdate"]),
        )

    def match(self, member):
        """The best contact for `member` (dict like a contact), as a Match."""
        email = member["email_norm"]
        if email and self.by_email.get(email):
            return self._by_email(member, self.by_email[email])
        key = (member["name_key"], member["birthdate"])
        if member["name_key"] and member["birthdate"] and self.by_name_dob.get(key):
            found = self.by_name_dob[key]
            reasons = [
                reason("name_same"),
                reason("dob_same", date=str(member["birthdate"])),
            ]
            if len(found) > 1:
                reasons.append(reason("name_dob_shared", count=len(found)))
                return self._decide(found[0]["id"], 75, reasons)
            return self._decide(found[0]["id"], 90, reasons)
        return self._fuzzy(member)

    def _by_email(self, member, found):
        scored = []
        for contact in found:
            name_sim = similarity(member["name_key"], contact["name_key"])
            dob, dob_words = self._dob_words(member, contact)
            score = 60 + 40 * name_sim**2 + 15 * min(dob, 0) + (5 if dob > 0 else 0)
            reasons = [reason("email_same", email=member["email_norm"])]
            if name_sim == 1:
                reasons.append(reason("name_same"))
            else:
                reasons.append(reason("name_similar", percent=round(name_sim * 100)))
            if dob_words:
                reasons.append(dob_words)
            scored.append((score, contact, reasons))
        scored.sort(key=lambda item: -item[0])
        score, contact, reasons = scored[0]
        if len(scored) > 1:
            reasons.append(reason("email_shared", count=len(scored)))
            if scored[1][0] >= score - 5:
                score = min(score, self.auto - 1)
        return self._decide(contact["id"], score, reasons)

    def _candidates(self, member):
        seen = {}
        if member["birthdate"]:
            for contact in self.by_dob.get(member["birthdate"], ()):
                seen[contact["id"]] = contact
        for token in set((member["name_key"] or "").split()):
            block = self.by_token.get(token, ())
            if len(block) <= BLOCK_LIMIT:
                for contact in block:
                    seen[contact["id"]] = contact
        return seen.values()

    def _fuzzy(self, member):
        best = None
        local = _local(member["email_norm"])
        for contact in self._candidates(member):
            dob, dob_words = self._dob_words(member, contact)
            contact_local = _local(contact["email_norm"])
            # Most candidates of a block cannot beat the best so far: their
            # bound says so without comparing the strings.
            bound = (
                60 * similarity_bound(member["name_key"], contact["name_key"])
                + 25 * similarity_bound(local, contact_local)
                + 15 * dob
            )
            if best is not None and bound <= best[0]:
                continue
            name_sim = similarity(member["name_key"], contact["name_key"])
            email_sim = similarity(local, contact_local)
            score = 60 * name_sim + 25 * email_sim + 15 * dob
            if best is None or score > best[0]:
                reasons = [reason("name_similar", percent=round(name_sim * 100))]
                if member["email_norm"] and contact["email_norm"]:
                    reasons.append(
                        reason("email_similar", percent=round(email_sim * 100))
                    )
                if dob_words:
                    reasons.append(dob_words)
                best = (score, contact, reasons)
        if best is None:
            return Match(None, 0, "none", [reason("nothing_alike")])
        return self._decide(best[1]["id"], best[0], best[2])
