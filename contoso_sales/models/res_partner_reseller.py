from odoo import fields, models


class ResPartner(models.Model):
    """Resellers and installers: companies whose portal users get the extranet."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    contoso_reseller = fields.Boolean(
        string="Contoso Reseller",
        help="A reseller or installer company: its contacts with a portal login "
        "see the reseller extranet (orders, stock, documentation, installation "
        "sheets).",
    )
    contoso_installation_sheet_ids = fields.One2many(
        "contoso.installation.sheet",
        "customer_id",
        string="Installation Sheets",
        help="Sheets that resellers filled for installations at this customer.",
    )
    contoso_installation_sheet_count = fields.Integer(
        string="Installations", compute="_compute_contoso_installation_sheet_count"
    )

    def _compute_contoso_installation_sheet_count(self):
        counts = dict(
            self.env["contoso.installation.sheet"]._read_group(
                [("customer_id", "in", self.ids)], ["customer_id"], ["__count"]
            )
        )
        for partner in self:
            partner.contoso_installation_sheet_count = counts.get(partner, 0)

    def action_open_contoso_installation_sheets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "contoso_sales.contoso_installation_sheet_action"
        )
        action["domain"] = [("customer_id", "=", self.id)]
        action["context"] = {"default_customer_id": self.id}
        return action
