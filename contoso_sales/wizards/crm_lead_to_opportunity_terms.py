from odoo import fields, models


class CrmLead2OpportunityPartner(models.TransientModel):
    """Labels of the Lead to Deal conversion wizard (the mass wizard inherits)."""

    _inherit = "crm.lead2opportunity.partner"

    name = fields.Selection(
        selection=[
            ("convert", "Convert to deal"),
            ("merge", "Merge with existing deals"),
        ]
    )
    duplicated_lead_ids = fields.Many2many(string="Deals")
    force_assignment = fields.Boolean(
        help="If checked, forces salesman to be updated on updated deals even if "
        "already set."
    )


class CrmLead2OpportunityPartnerMass(models.TransientModel):
    _inherit = "crm.lead2opportunity.partner.mass"

    deduplicate = fields.Boolean(help="Merge with existing leads/deals of each partner")


class CrmMergeOpportunity(models.TransientModel):
    _inherit = "crm.merge.opportunity"

    opportunity_ids = fields.Many2many(string="Leads/Deals")
