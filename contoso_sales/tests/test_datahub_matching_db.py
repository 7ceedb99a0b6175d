from odoo.tests import tagged

from ..datahub.matching import BLOCK_LIMIT
from .datahub_common import CONTACTS, LOYALTY, POS, DataHubCase

PEOPLE = (
    CONTACTS
    + "C1,Zoé,Dupont,,zoe.dupont@example.com,1980-05-06,,,,,,\r\n"
    + "C2,John,Smith,,jsmith@example.com,1975-05-06,,,,,,\r\n"
    + "C3,Jonathan,Fairweather,,jon.fw@example.com,1990-01-02,,,,,,\r\n"
    + "C4,Ann,Lee,,ann@example.com,1991-01-01,,,,,,\r\n"
)
MEMBERS = (
    LOYALTY
    + 'LOYID_1,"Dupont, Zoe",,1980-05-06,,120,\r\n'
    + "LOYID_2,Someone Else, JSmith@Example.com ,,,50,\r\n"
    + "LOYID_3,Jonathon Fairwether,jon.fairweather@example.com,1990-01-02,,10,\r\n"
    + "LOYID_4,Ann Lee,,,,5,C4\r\n"
    + "LOYID_5,Xavier Quill,xq@example.org,,,0,\r\n"
)


@tagged("post_install", "-at_install")
class TestLoyaltyMatching(DataHubCase):
    def setUp(self):
        super().setUp()
        self._import("contacts", PEOPLE)
        self.batch = self._import("loyalty", MEMBERS, "Loyalty.csv")
        self.members = {
            m.loyalty_ref: m for m in self.env["contoso.loyalty.member"].search([])
        }

    def test_each_member_gets_a_score_a_state_and_reasons(self):
        self.assertEqual(self._counts(self.batch), (5, 5, 0, 0, 0))
        got = {
            ref: (
                m.partner_id.contoso_contact_ref,
                m.candidate_partner_id.contoso_contact_ref,
                m.match_state,
                m.match_score,
            )
            for ref, m in self.members.items()
        }
        self.assertEqual(got["LOYID_1"], ("C1", "C1", "auto", 90))
        self.assertEqual(got["LOYID_2"][1:3], ("C2", "review"))
        self.assertFalse(got["LOYID_2"][0], "a proposal is not a link")
        self.assertEqual(got["LOYID_3"][:3], (False, "C3", "review"))
        self.assertEqual(got["LOYID_4"], ("C4", "C4", "auto", 100))
        self.assertEqual(got["LOYID_5"][:3], (False, False, "none"))
        self.assertEqual(
            self.members["LOYID_1"].match_reason,
            "same name (ignoring accents, case and word order); same birth date "
            "(May 6, 1980)",
        )
        self.assertEqual(
            self.members["LOYID_4"].match_reason,
            "ContactId C4 given in the loyalty file",
        )

    def test_review_queue_confirm_reject_and_undo(self):
        pos = self._import(
            "pos",
            POS
            + "S1,LOYID_2,2021-01-01,30,3,Purchase,Alarm\r\n"
            + "S2,LOYID_1,2021-01-02,40,4,Purchase,Camera\r\n",
        )
        self.assertEqual(pos.rows_created, 2)
        john, zoe = self._partner("C2"), self._partner("C1")
        self.assertFalse(john.contoso_purchase_ids, "not linked before review")
        self.assertEqual(zoe.contoso_purchase_ids.mapped("source_ref"), ["S2"])

        review = self.members["LOYID_2"].with_user(self.data_admin)
        review.action_confirm_match()
        self.assertEqual(review.match_state, "confirmed")
        self.assertEqual(review.partner_id, john)
        self.assertEqual(review.decided_by_id, self.data_admin)
        self.assertEqual(john.contoso_purchase_ids.mapped("source_ref"), ["S1"])

        self.members["LOYID_3"].with_user(self.data_admin).action_reject_match()
        self.assertEqual(self.members["LOYID_3"].match_state, "rejected")
        self.assertFalse(self.members["LOYID_3"].partner_id)

        # A wrong automatic link is undone: the purchases leave the contact.
        self.members["LOYID_1"].with_user(self.data_admin).action_reject_match()
        self.assertFalse(self.members["LOYID_1"].partner_id)
        self.assertFalse(zoe.contoso_purchase_ids)

        # Re-importing the loyalty file never overrides these decisions.
        changed = MEMBERS.replace(",120,", ",130,").replace(",50,", ",55,")
        again = self._import("loyalty", changed)
        self.assertEqual(self._counts(again), (5, 0, 2, 3, 0))
        self.assertEqual(self.members["LOYID_1"].match_state, "rejected")
        self.assertEqual(self.members["LOYID_1"].points, 130)
        self.assertEqual(self.members["LOYID_2"].partner_id, john)

    def test_salesperson_cannot_decide(self):
        member = self.members["LOYID_2"].with_user(self.salesperson)
        self.assertEqual(member.match_state, "review", "salespeople can read")
        with self.assertRaises(Exception):  # noqa: B017 - AccessError on write
            member.action_confirm_match()

    def test_member_waiting_for_its_contact_is_linked_when_it_arrives(self):
        batch = self._import("loyalty", LOYALTY + "LOYID_9,Nina Late,,,,1,C9\r\n")
        self.assertEqual(batch.rows_unlinked, 1)
        self.assertEqual(
            batch.error_ids.reason,
            "ContactId 'C9' is unknown: the member is imported and matched by "
            "e-mail, name and birth date meanwhile; it is linked to that contact "
            "when it is imported.",
        )
        member = self.env["contoso.loyalty.member"].search(
            [("loyalty_ref", "=", "LOYID_9")]
        )
        self.assertEqual(member.match_state, "none")
        self._import("contacts", CONTACTS + "C9,Nina,Late,,,,,,,,,\r\n")
        self.assertEqual(member.partner_id, self._partner("C9"))
        self.assertEqual(member.match_state, "auto")


@tagged("post_install", "-at_install")
class TestLoyaltyMatchingBlocks(DataHubCase):
    """The name blocks a member is compared with: a token shared by more than
    BLOCK_LIMIT contacts (active people of the card's company or shared) is
    too common to be read; one shared by BLOCK_LIMIT is read whole."""

    def test_a_block_past_the_limit_is_skipped_and_one_at_it_is_read_whole(self):
        Partner = self.env["res.partner"]
        other = self.env["res.company"].create({"name": "Contoso Elsewhere"})
        Partner.create(
            [{"name": f"Qqbig Person{n}"} for n in range(BLOCK_LIMIT + 1)]
            + [{"name": f"Qqedge Person{n}"} for n in range(BLOCK_LIMIT - 1)]
            # the same token twice in one name: one contact of the block
            + [{"name": "Qqedge Qqedge"}]
            # none of these counts towards the qqedge block
            + [{"name": f"Qqedge Gone{n}", "active": False} for n in range(3)]
            + [{"name": f"Qqedge Corp{n}", "is_company": True} for n in range(3)]
            + [{"name": f"Qqedge Far{n}", "company_id": other.id} for n in range(3)]
        )
        rows = [
            {
                "name_key": key,
                "email_norm": False,
                "birthdate": False,
                "contact_ref": False,
                "company_id": self.env.company.id,
            }
            for key in ("person qqbig", "person qqedge", "qqnone unknown")
        ]
        Member = self.env["contoso.loyalty.member"]
        contacts, tokens = Member._match_candidates(rows)
        self.assertNotIn("qqbig", tokens, "a block past the limit is skipped")
        self.assertIn("qqedge", tokens, "a block at the limit is used")
        self.assertIn("qqnone", tokens, "an empty block is complete too")
        edge = [c for c in contacts if "qqedge" in c["name_key"].split()]
        self.assertEqual(len(edge), BLOCK_LIMIT)
        self.assertFalse([c for c in contacts if "qqbig" in c["name_key"].split()])
        # One contact more in the qqedge block and it is skipped as well.
        Partner.create({"name": "Qqedge Last"})
        self.env.flush_all()
        contacts, tokens = Member._match_candidates(rows)
        self.assertNotIn("qqedge", tokens)
        self.assertFalse([c for c in contacts if "qqedge" in c["name_key"].split()])
