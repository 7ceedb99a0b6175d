from odoo import fields, models


class CrmStage(models.Model):
    _inherit = "crm.stage"

    contoso_requires_tech_check = fields.Boolean(
        string="Requires Tech Check",
        help="Deals above the tech check threshold can only enter this stage with a "
        "passed tech check. Won stages always require it.",
    )
