"""The deal form's Similar Leads count (`duplicate_lead_ids`/`_count`) and
`user_company_ids`, computed with fewer queries by `crm_lead_form_reads.py`,
say what Odoo's own computes say, deal by deal."""

from unittest.mock import patch

from odoo.addons.crm.models.crm_lead import CrmLead as OdooCrmLead
from odoo.tests import Form, tagged

from .common import ContosoCase


def odoo_and_ours(leads, read):
    """`read(leads)` with Odoo's crm compute of the Similar Leads, and with
    ours; ours first, so that it meets the caches as they are (unflushed edits
    too)."""
    ours = read(leads)
    with patch.object(
        type(leads),
        "_compute_potential_lead_duplicates",
        OdooCrmLead._compute_potential_lead_duplicates,
    ):
        odoo = read(leads)
    return odoo, ours


@tagged("post_install", "-at_install")
class TestSimilarDeals(ContosoCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.head = Partner.create({"name": "Northwind Holdings", "is_company": True})
        cls.branch = Partner.create(
            {"name": "Northwind East", "parent_id": cls.head.id}
        )
        cls.buyer = Partner.create({"name": "Nina Buyer", "parent_id": cls.branch.id})
        cls.gone = Partner.create(
            {"name": "Old Buyer", "parent_id": cls.branch.id, "active": False}
        )
        cls.stranger = Partner.create({"name": "Someone Else", "is_company": True})
        cls.other_company = cls.env["res.company"].create(
            {"name": "Contoso Canada Test"}
        )

        def deal(name, **values):
            return cls.env["crm.lead"].create(
                {"name": name, "type": "opportunity", **values}
            )

        cls.on_head = deal("Head office alarms", partner_id=cls.head.id)
        cls.on_buyer = deal(
            "Buyer doorbells",
            partner_id=cls.buyer.id,
            user_id=cls.salesperson.id,
            email_from="nina@northwind.example",
            phone="+1 202 555 0143",
        )
        cls.on_gone = deal("Archived buyer", partner_id=cls.gone.id, active=False)
        cls.as_lead = deal("Branch lead", partner_id=cls.branch.id, type="lead")
        cls.same_domain = deal(
            "Same domain, other company",
            email_from="sales@northwind.example",
            company_id=cls.other_company.id,
        )
        cls.same_phone = deal("Same phone", phone="+1 202 555 0143")
        cls.unrelated = deal("Unrelated", partner_id=cls.stranger.id)
        cls.bare = deal("Nothing to match")
        # 22 deals of one e-mail domain: each has 21 others, which Odoo finds
        # not relevant (its SEARCH_RESULT_LIMIT) and counts none of them.
        cls.crowd = cls.env["crm.lead"].create(
            [
                {"name": f"Crowd {n}", "email_from": f"p{n}@crowd.example"}
                for n in range(22)
            ]
        )
        # 20 deals of another domain: each finds its 19 others.
        cls.twenty = cls.env["crm.lead"].create(
            [
                {"name": f"Twenty {n}", "email_from": f"p{n}@twenty.example"}
                for n in range(20)
            ]
        )

    def _similar(self, lead):
        lead.invalidate_recordset(["duplicate_lead_ids", "duplicate_lead_count"])
        return lead.duplicate_lead_ids.ids, lead.duplicate_lead_count

    def _odoo_and_ours(self, lead):
        return odoo_and_ours(lead, self._similar)

    def test_each_kind_of_deal_finds_what_odoo_finds(self):
        deals = (
            self.on_head
            + self.on_buyer
            + self.on_gone
            + self.as_lead
            + self.same_domain
            + self.same_phone
            + self.unrelated
            + self.bare
            + self.crowd[:2]
            + self.twenty[:2]
        )
        self.assertTrue(
            self.on_buyer.phone_sanitized, "the phone must be sanitized to be matched"
        )
        for user in (self.env.user, self.salesperson):
            for lead in deals.with_user(user):
                with self.subTest(lead=lead.name, user=user.login):
                    odoo, ours = self._odoo_and_ours(lead)
                    self.assertEqual(ours, odoo)
        # What the cases above cover, so that none of them passes by being empty.
        ids, count = self._similar(self.on_buyer)
        self.assertEqual(
            set(ids) - set(self.on_buyer.ids),
            set(
                (
                    self.on_head
                    + self.on_gone
                    + self.as_lead
                    + self.same_domain
                    + self.same_phone
                ).ids
            ),
        )
        self.assertEqual(count, 5)
        self.assertEqual(self._similar(self.crowd[0])[1], 0)
        self.assertEqual(self._similar(self.twenty[0])[1], 19)
        self.assertEqual(self._similar(self.bare), (self.bare.ids, 0))

    def test_a_deal_being_edited_finds_what_odoo_finds(self):
        # the form's onchange: a new record, with its origin or without
        for origin in (self.bare, None):
            form = Form(origin or self.env["crm.lead"])
            form.name = form.name or "New deal"
            form.partner_id = self.branch
            form.email_from = "x@twenty.example"
            form.phone = "+1 202 555 0143"
            # 20 of the e-mail domain, 4 of the company tree (archived one
            # and lead included), 1 more of the phone
            self.assertEqual(form.duplicate_lead_count, 20 + 4 + 1)
            lead = self.env["crm.lead"].new(
                {
                    "name": "New",
                    "partner_id": self.branch.id,
                    "email_from": "x@twenty.example",
                    "phone": "+1 202 555 0143",
                },
                origin=origin,
            )
            odoo, ours = self._odoo_and_ours(lead)
            self.assertEqual(ours, odoo)

    def test_the_similar_deals_are_one_query(self):
        lead = self.on_buyer.with_user(self.salesperson)
        lead.invalidate_recordset()
        lead.fetch(["email_domain_criterion", "phone_sanitized", "partner_id"])
        lead.partner_id.commercial_partner_id.fetch(["name"])
        with self.assertQueryCount(1):
            self.assertEqual(lead.duplicate_lead_count, 5)

    def test_user_companies_as_odoo_says_and_no_search_for_a_deal_with_a_company(self):
        no_company = self.env["crm.lead"].create({"name": "No company"})
        no_company.company_id = False
        for user, leads in (
            (self.env.user, self.on_buyer + self.same_domain + no_company),
            (self.manager, self.on_buyer + no_company),
        ):
            for lead in leads.with_user(user):
                lead.invalidate_recordset(["user_company_ids"])
                ours = lead.user_company_ids
                lead.invalidate_recordset(["user_company_ids"])
                with patch.object(
                    type(lead),
                    "_compute_user_company_ids",
                    OdooCrmLead._compute_user_company_ids,
                ):
                    self.assertEqual(ours, lead.user_company_ids, lead.name)
        no_company.invalidate_recordset(["user_company_ids"])
        self.assertGreater(len(no_company.user_company_ids), 1)
        # a deal with a company: Odoo's search of every company is gone
        lead = self.on_buyer.with_user(self.salesperson)
        counts = []
        # twice each, the first pass loading the caches (record rules, company)
        for compute in (None, OdooCrmLead._compute_user_company_ids) * 2:
            lead.invalidate_recordset()
            lead.fetch(["company_id"])
            with patch.object(
                type(lead),
                "_compute_user_company_ids",
                compute or type(lead)._compute_user_company_ids,
            ):
                before = self.env.cr.sql_log_count
                self.assertEqual(lead.user_company_ids, self.company)
                counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[2:], [0, 1], "ours, Odoo's")

    def test_user_companies_of_a_page_of_deals_as_odoo_says(self):
        """A list page computes the field for all its deals at once, in two
        companies and without one: each deal gets Odoo's value."""
        no_company = self.env["crm.lead"].create({"name": "No company"})
        no_company.company_id = False
        page = (
            self.on_head
            + self.on_buyer
            + self.same_domain
            + no_company
            + self.crowd
            + self.twenty[:3]
        )
        self.assertEqual(len(page.company_id), 2)

        def values():
            leads = page.with_env(self.env)
            leads.invalidate_recordset(["user_company_ids"])
            leads.fetch(["company_id"])
            return {lead.id: lead.user_company_ids for lead in leads}

        ours = values()
        with patch.object(
            type(page),
            "_compute_user_company_ids",
            OdooCrmLead._compute_user_company_ids,
        ):
            odoo = values()
        self.assertEqual(ours, odoo)
        self.assertEqual(ours[self.same_domain.id], self.other_company)
        self.assertEqual(ours[no_company.id], self.env["res.company"].search([]))

    def test_the_deal_form_reads_the_email_domain_with_the_deal(self):
        view = (
            self.env["crm.lead"]
            .with_user(self.salesperson)
            .get_views([(False, "form")])
        )
        self.assertIn("email_domain_criterion", view["models"]["crm.lead"]["fields"])
