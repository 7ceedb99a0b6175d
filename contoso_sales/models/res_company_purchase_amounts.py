from odoo import models


class ResCompany(models.Model):
    """A company whose currency changes values its imported purchases in the
    new currency: the stored amounts follow, as the rates' changes do
    (res_currency_rate.py)."""

    _inherit = "res.company"

    def write(self, vals):
        before = {company: company.currency_id for company in self}
        result = super().write(vals)
        changed = self.filtered(lambda c: c.currency_id != before[c])
        if changed:
            self.env["contoso.purchase"]._reconvert_companies(changed)
        return result
