from odoo import api, models


class ResCurrencyRate(models.Model):
    """A rate added, changed or removed for a past date changes what imported
    purchases from that date on are worth in their company's currency: their
    stored amounts follow, so the manager screens equal the live definition."""

    _inherit = "res.currency.rate"

    def _contoso_keys(self):
        # The company decides which purchases a first rate converts: a root
        # company's own first rate comes before the first shared one.
        return [(r.currency_id.id, r.company_id.id or None, r.name) for r in self]

    def _contoso_reconvert(self, keys):
        keys = [key for key in keys if key[0] and key[2]]
        if keys:
            self.env["contoso.purchase"]._recompute_amount_company(keys)

    @api.model_create_multi
    def create(self, vals_list):
        rates = super().create(vals_list)
        rates._contoso_reconvert(rates._contoso_keys())
        return rates

    def write(self, vals):
        before = self._contoso_keys()
        result = super().write(vals)
        self._contoso_reconvert(before + self._contoso_keys())
        return result

    def unlink(self):
        before = self._contoso_keys()
        result = super().unlink()
        self._contoso_reconvert(before)
        return result
