"""Red-team guards for `crm_lead_form_reads.py` (Similar Leads in one query)
and the grouped *Checked By* assignment of `crm_lead_tech_check.py`: the
inputs on which a hand-written query most easily parts from Odoo's own
searches, compared with Odoo's compute, and what the consultants' record rule
makes of a mixed page of deals."""

from odoo.tests import Form, tagged

from .common import ContosoCase
from .test_similar_deals import odoo_and_ours
from .test_tech_check import TechCheckCase


@tagged("post_install", "-at_install")
class TestSimilarDealsEdges(ContosoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.other_company = cls.env["res.company"].create({"name": "Contoso RT Test"})
        cls.root = Partner.create({"name": "Deep Root", "is_company": True})
        parent = cls.root
        cls.levels = Partner
        for depth in range(5):
            # an archived partner in the middle of the tree still carries it
            parent = Partner.create(
                {
                    "name": f"Level {depth}",
                    "parent_id": parent.id,
                    "active": depth != 2,
                    "company_id": cls.other_company.id if depth == 3 else False,
                }
            )
            cls.levels += parent
        # two partners whose parents make a loop, written in SQL as bad data
        # may be: the tree's walk must end, as Odoo's does
        cls.loop_a = Partner.create({"name": "Loop A", "is_company": True})
        cls.loop_b = Partner.create({"name": "Loop B", "parent_id": cls.loop_a.id})
        cls.env.cr.execute(
            "UPDATE res_partner SET parent_id = %s WHERE id = %s",
            (cls.loop_b.id, cls.loop_a.id),
        )
        cls.env.invalidate_all()

        def deal(name, **values):
            return cls.env["crm.lead"].create(
                {"name": name, "type": "opportunity", **values}
            )

        cls.deals = (
            deal("Root", partner_id=cls.root.id, email_from="a@gmail.com")
            + deal("Same gmail", email_from="a@gmail.com", active=False)
            + deal("Other gmail", email_from="b@gmail.com")
            + deal("Deep", partner_id=cls.levels[-1].id, type="lead")
            + deal("Archived level", partner_id=cls.levels[2].id, active=False)
            + deal(
                "Other company",
                partner_id=cls.levels[3].id,
                company_id=cls.other_company.id,
                phone="+1 202 555 0199",
            )
            + deal("Same phone", phone="+1 202 555 0199", priority="3")
            + deal("Loop A", partner_id=cls.loop_a.id)
            + deal("Loop B", partner_id=cls.loop_b.id)
            + deal(
                "Quoted",
                email_from="x'); DELETE FROM crm_lead; --@evil.example",
                phone="'; DROP TABLE crm_lead; --",
            )
            + deal("Quoted too", email_from="y'); --@evil.example")
            + deal("No company", company_id=False, email_from="z@evil.example")
        )
        # values stored empty rather than NULL match nothing, as in Odoo
        cls.env.cr.execute(
            "UPDATE crm_lead SET phone_sanitized = '', email_domain_criterion = ''"
            " WHERE id = %s",
            (cls.deals[2].id,),
        )
        cls.env.invalidate_all()

    def _similar(self, leads):
        leads.invalidate_recordset(["duplicate_lead_ids", "duplicate_lead_count"])
        return [
            (lead.duplicate_lead_ids.ids, lead.duplicate_lead_count) for lead in leads
        ]

    def _assert_as_odoo(self, leads):
        odoo, ours = odoo_and_ours(leads, self._similar)
        self.assertEqual(ours, odoo)
        return ours

    def test_edge_deals_batch_and_roles_find_what_odoo_finds(self):
        for user in (self.env.user, self.salesperson, self.manager):
            with self.subTest(user=user.login):
                # one deal at a time, and the whole batch in one compute
                for lead in self.deals.with_user(user):
                    self._assert_as_odoo(lead)
                found = self._assert_as_odoo(self.deals.with_user(user))
        counts = dict(
            zip(self.deals.mapped("name"), (c for _ids, c in found), strict=True)
        )
        # what the cases above cover, so that none passes by being empty
        # the tree's three other leads (archived, other company, type lead)
        # and the archived deal of the same gmail address
        self.assertEqual(counts["Root"], 3 + 1)
        self.assertEqual(counts["Other gmail"], 0)
        self.assertEqual(counts["Loop A"], 1)
        self.assertEqual(counts["Quoted"], 2)

    def test_unflushed_edits_and_new_partners_find_what_odoo_finds(self):
        root, deep, loop_a = self.deals[0], self.deals[3], self.deals[7]
        # edits still in the cache: e-mail, phone, partner, a partner's parent
        deep.email_from = "c@gmail.com"
        self.deals[2].phone = "+1 202 555 0199"
        loop_a.partner_id = self.levels[1]
        self.levels[4].parent_id = self.loop_b
        self.env.cr.execute("SELECT email_from FROM crm_lead WHERE id = %s", deep.ids)
        self.assertFalse(self.env.cr.fetchone()[0], "the edits must be unflushed")
        self._assert_as_odoo(self.deals)
        # a deal being edited whose customer is new: a new contact of a company,
        # and a new company of its own
        Partner = self.env["res.partner"]
        for partner in (
            Partner.new({"name": "New contact", "parent_id": self.root.id}),
            Partner.new({"name": "New company", "is_company": True}),
            Partner.new({"name": "Edited"}, origin=self.levels[0]),
        ):
            for origin in (root, None):
                lead = self.env["crm.lead"].new(
                    {"name": "Edited deal", "partner_id": partner.id},
                    origin=origin,
                )
                with self.subTest(partner=partner.name, origin=bool(origin)):
                    self._assert_as_odoo(lead)

    def test_a_salesperson_s_new_deal_form_counts_what_odoo_counts(self):
        # the onchange as the salesperson: a new deal on the tree's root with
        # a gmail address and the phone of a deal of another company
        def count():
            form = Form(self.env["crm.lead"].with_user(self.salesperson))
            form.name = "New deal"
            form.partner_id = self.root
            form.email_from = "a@gmail.com"
            form.phone = "+1 202 555 0199"
            return form.duplicate_lead_count

        odoo, ours = odoo_and_ours(self.env["crm.lead"], lambda _leads: count())
        self.assertEqual(ours, odoo)
        # Root's own deal, the tree's three, the archived gmail one, and of
        # the phone's two deals the one outside the tree
        self.assertEqual(ours, 1 + 3 + 1 + 1)

    def test_the_form_reads_as_each_role_without_access_error(self):
        # the deal's similar ones are of another company and archived: the
        # form's fields, as its view gives them, read without AccessError
        lead = self.deals[0]
        lead.write({"user_id": self.salesperson.id, "team_id": self.team.id})
        for user in (self.salesperson, self.manager):
            with self.subTest(user=user.login):
                view = lead.with_user(user).get_views([(False, "form")])
                spec = dict.fromkeys(view["models"]["crm.lead"]["fields"], {})
                self.env.invalidate_all()
                [values] = lead.with_user(user).web_read(spec)
                self.assertEqual(values["duplicate_lead_count"], 4)
                self.assertIn("@gmail.com", values["email_domain_criterion"])


@tagged("post_install", "-at_install")
class TestCheckedByMixedPageRedTeam(TechCheckCase):
    def test_consultants_page_after_order_delete_and_merge(self):
        other = self._team_user("t_tia", "Test Tia")
        tom_toby = self._deal("Tom then Tia", 30000, "quote")
        toby_tom = self._deal("Tia then Tom", 31000, "quote")
        small_moved = self._deal("Small, check moved here", 15000, "quote")
        small_deleted = self._deal("Small, check deleted", 16000, "quote")
        small_head = self._deal("Small head of a merge", 17000, "quote")
        small_tail = self._deal("Small tail of a merge", 18000, "quote")
        self._log_check(tom_toby, result="fail")
        self._log_check(tom_toby, result="fail", user=other)
        self._log_check(toby_tom, result="fail", user=other)
        self._log_check(toby_tom, result="fail")
        moved = self._log_check_for(small_deleted, self.consultant)
        gone = self._log_check_for(small_deleted, other)
        self._log_check_for(small_tail, other)
        page = tom_toby + toby_tom + small_moved + small_deleted
        page.mapped("tech_check_consultant_ids")  # in the cache, then changed
        moved.lead_id = small_moved
        gone.unlink()
        (small_head + small_tail).merge_opportunity()
        page = (page + small_head).exists()
        domain = [("tech_check_required", "=", True), ("tech_check_passed", "=", False)]
        for user, expected in (
            (self.consultant, tom_toby + toby_tom + small_moved),
            (other, tom_toby + toby_tom + small_head),
        ):
            with self.subTest(user=user.login):
                self.env.invalidate_all()
                readable = page.with_user(user)._filtered_access("read")
                self.assertEqual(set(readable.ids), set(expected.ids))
                result = (
                    self.env["crm.lead"]
                    .with_user(user)
                    .web_search_read(domain, {"display_name": {}})
                )
                # the small deals need no check: only the big ones are listed
                listed = {r["id"] for r in result["records"]} & set(page.ids)
                self.assertEqual(listed, set((tom_toby + toby_tom).ids))

    def test_a_consultant_reads_the_deal_form_over_rpc(self):
        # the form's fields as its view gives them to a consultant (Similar
        # Leads computed as superuser, Checked By by his rule): no AccessError
        self._log_check(self.deal, result="fail")
        deal = self.deal.with_user(self.consultant)
        view = deal.get_views([(False, "form")])
        spec = dict.fromkeys(view["models"]["crm.lead"]["fields"], {})
        self.env.invalidate_all()
        [values] = deal.web_read(spec)
        self.assertEqual(values["id"], self.deal.id)
        self.assertIn("duplicate_lead_count", values)

    def test_consultants_page_of_quotations_follows_each_deal(self):
        # the quotations' rule reads Checked By through the quotation's deal:
        # a page of quotations of deals with different consultants
        other = self._team_user("t_tia", "Test Tia")
        by_other = self._deal("Small, checked by Tia", 15000, "quote")
        by_both = self._deal("Small, checked by both", 16000, "quote")
        for deal, user in (
            (by_other, other),
            (by_both, other),
            (by_both, self.consultant),
        ):
            self._log_check_for(deal, user)
        quotes = self.env["sale.order"].create(
            [
                {"partner_id": self.customer.id, "opportunity_id": deal.id}
                for deal in (self.small, by_other, by_both, by_other)
            ]
        )
        for user, expected in (
            (self.consultant, quotes[2]),
            (other, quotes[1:]),
        ):
            with self.subTest(user=user.login):
                self.env.invalidate_all()
                readable = quotes.with_user(user)._filtered_access("read")
                self.assertEqual(readable, expected)
                found = (
                    self.env["sale.order"]
                    .with_user(user)
                    .search_fetch([("id", "in", quotes.ids)], ["name"])
                )
                self.assertEqual(set(found.ids), set(expected.ids))
