from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

MANAGER_GROUP = "contoso_sales.group_sales_manager"


class ContosoSalesConfig(models.TransientModel):
    """The Contoso deal settings a sales manager may change. Odoo's Settings
    screen is for administrators only, and res.company is not writable by
    sales managers: this form changes just these values of their company."""

    _name = "contoso.sales.config"
    _description = "Contoso Deal Settings"

    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    tech_check_threshold = fields.Monetary(
        string="Tech Check Threshold",
        currency_field="currency_id",
        required=True,
        help="Deals worth more than this need a passed tech check before they close.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        values["tech_check_threshold"] = self.env.company.contoso_tech_check_threshold
        return values

    @api.constrains("tech_check_threshold")
    def _check_threshold(self):
        for config in self:
            if config.tech_check_threshold < 0:
                raise ValidationError(
                    self.env._(
                        "The tech check threshold cannot be negative (got %(amount)s).",
                        amount=config.tech_check_threshold,
                    )
                )

    def action_save(self):
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only sales managers can change the Contoso deal settings.")
            )
        # sudo: a sales manager may change this one setting of their own company
        # (company_id defaults to the current company and is read-only).
        self.company_id.sudo().contoso_tech_check_threshold = self.tech_check_threshold
        return {"type": "ir.actions.act_window_close"}
