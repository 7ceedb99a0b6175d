from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    contoso_tech_check = fields.Boolean(
        string="Tech Checks",
        tracking=True,
        help="Deals of this team worth more than the company's tech check threshold "
        "need a passed tech check before they enter a gated stage or are won.",
    )
