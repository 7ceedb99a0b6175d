"""Two of Odoo's computes that every deal form reads, with fewer queries.

Similar deals (Odoo's *Potential Duplicate Lead* count) in one query:

Odoo's `crm.lead._compute_potential_lead_duplicates` asks the database once
for the leads of the same e-mail domain, once per level of the customer's
company tree (its `child_of`: `res.partner` keeps no parent path), once for
the leads of that tree and once for the same phone: four to six queries on
every deal form. The same three searches here are one statement (the
company tree a recursive CTE), with Odoo's rules kept as they are: as
superuser (`compute_sudo`), archived leads included, the e-mail and phone
matches dropped when there are 21 or more of them, the lead itself never
among its duplicates, the order of Odoo's union (e-mail, company, phone,
each by `crm.lead`'s order). The tree's partners are handed to the leads'
search as an array (`= ANY(ARRAY(...))`): joined to the CTE, whose size
PostgreSQL cannot guess, the leads were scanned whole (4.6 against 0.1 ms).
`test_similar_deals.py` compares it with Odoo's compute on deals of each
kind.

The companies a lead's salesperson may be picked from (`user_company_ids`):
Odoo searches every company even when the lead has one, and then uses the
lead's company; the search now runs only for leads without a company.
"""

from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

# Odoo's SEARCH_RESULT_LIMIT: a criterion matching this many leads or more
# is not relevant and finds none.
_RELEVANCE_LIMIT = 21


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.depends(
        "email_domain_criterion", "email_normalized", "partner_id", "phone_sanitized"
    )
    def _compute_potential_lead_duplicates(self):
        leads = self.env["crm.lead"]
        leads.flush_model(
            ["email_domain_criterion", "phone_sanitized", "partner_id", "priority"]
        )
        self.env["res.partner"].flush_model(["parent_id"])
        order = SQL("ORDER BY priority DESC, id DESC")
        # One statement per deal, on purpose: the field is on the form (one
        # deal). The whole batch in one statement (unnest() of the deals, a
        # tree per row) is estimated so costly by PostgreSQL (its guess of a
        # recursive CTE's size) that from about 46 deals it crosses
        # jit_above_cost: 80 deals took 288 ms, JIT compiling, against 3 ms.
        for lead in self:
            lead_id = lead._origin.id or None
            commercial = lead.partner_id.commercial_partner_id._origin
            self.env.cr.execute(
                SQL(
                    """
                    WITH RECURSIVE company_tree(id) AS (
                        SELECT id FROM res_partner WHERE id = %(commercial)s
                        UNION
                        SELECT child.id FROM res_partner child
                          JOIN company_tree ON child.parent_id = company_tree.id
                    )
                    SELECT
                        ARRAY(SELECT id FROM crm_lead
                               WHERE %(domain)s IS NOT NULL
                                 AND email_domain_criterion = %(domain)s
                                 AND id IS DISTINCT FROM %(lead)s
                               %(order)s LIMIT %(limit)s),
                        ARRAY(SELECT id FROM crm_lead
                               WHERE partner_id = ANY(
                                         ARRAY(SELECT id FROM company_tree))
                                 AND id IS DISTINCT FROM %(lead)s
                               %(order)s),
                        ARRAY(SELECT id FROM crm_lead
                               WHERE %(phone)s IS NOT NULL
                                 AND phone_sanitized = %(phone)s
                                 AND id IS DISTINCT FROM %(lead)s
                               %(order)s LIMIT %(limit)s)
                    """,
                    commercial=commercial.id or None,
                    domain=lead.email_domain_criterion or None,
                    phone=lead.phone_sanitized or None,
                    lead=lead_id,
                    order=order,
                    limit=_RELEVANCE_LIMIT,
                )
            )
            by_domain, by_company, by_phone = self.env.cr.fetchone()
            found = by_domain if len(by_domain) < _RELEVANCE_LIMIT else []
            found += by_company
            found += by_phone if len(by_phone) < _RELEVANCE_LIMIT else []
            duplicates = leads.browse(dict.fromkeys(found))
            lead.duplicate_lead_ids = duplicates + lead
            lead.duplicate_lead_count = len(duplicates)

    @api.depends("company_id")
    def _compute_user_company_ids(self):
        # Odoo's compute, except that it searched every company for each batch
        # of leads, used only by the leads without a company: one query on
        # every form of a deal that has one. And each value is assigned once
        # to the leads that share it: a list page of 80 deals of one company
        # assigned a many2many 80 times, each through the ORM's write
        # machinery and its access check (a seventh of a consultant's Tech
        # Checks to Do list under the profiler).
        by_company = defaultdict(list)
        for lead in self:
            by_company[lead.company_id].append(lead.id)
        without_company = self.browse(by_company.pop(self.env["res.company"], ()))
        for company, lead_ids in by_company.items():
            self.browse(lead_ids).user_company_ids = company
        if without_company:
            # every company the user may see, as Odoo gives them: a handful
            # pylint: disable-next=no-search-all
            without_company.user_company_ids = self.env["res.company"].search([])
