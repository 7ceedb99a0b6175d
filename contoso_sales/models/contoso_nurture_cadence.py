from odoo import api, fields, models


class ContosoNurtureCadence(models.Model):
    _name = "contoso.nurture.cadence"
    _description = "Nurturing Cadence"
    _order = "sequence, id"

    name = fields.Char(string="Cadence", required=True, translate=True)
    sequence = fields.Integer(string="Sequence", default=10)
    active = fields.Boolean(string="Active", default=True)
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        index=True,
        help="Leave empty to use the cadence in every company.",
    )
    step_ids = fields.One2many(
        "contoso.nurture.step", "cadence_id", string="Steps", copy=True
    )
    step_count = fields.Integer(string="Step Count", compute="_compute_step_count")

    @api.depends("step_ids")
    def _compute_step_count(self):
        for cadence in self:
            cadence.step_count = len(cadence.step_ids)

    @api.model
    def _contoso_default_for(self, company):
        """The cadence new enrolments of a company follow: Contoso's corporate
        cadence while it is active, else the first active one with steps."""
        corporate = self.env.ref(
            "contoso_sales.nurture_cadence_corporate", raise_if_not_found=False
        )
        if (
            corporate
            and corporate.active
            and corporate.step_ids
            and corporate.company_id in (company | self.env["res.company"])
        ):
            return corporate
        return self.search(
            [("company_id", "in", [company.id, False]), ("step_ids", "!=", False)],
            limit=1,
        )
