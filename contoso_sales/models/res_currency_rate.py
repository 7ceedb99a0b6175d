from odoo import api, models


class ResCurrencyRate(models.Model):
    """A rate added, changed or removed for a past date changes what imported
    purchases from that date on are worth in their company's currency: their
    stored amounts follow, so the manager screens equal the live definition."""

    _inherit = "res.currency.rate"

    def _contoso_reconvert(self, keys):
        keys = [key for key in keys if key[1]]
        if keys:
            self.env["contoso.purchase"]._recompute_amount_company(
                {currency for currency, _date in keys}, min(d for _c, d in keys)
            )

    @api.model_create_multi
    def create(self, vals_list):
        rates = super().create(vals_list)
        rates._contoso_reconvert([(r.currency_id.id, r.name) for r in rates])
        return rates

    def write(self, vals):
        before = [(r.currency_id.id, r.name) for r in self]
        result = super().write(vals)
        self._contoso_reconvert(before + [(r.currency_id.id, r.name) for r in self])
        return result

    def unlink(self):
        before = [(r.currency_id.id, r.name) for r in self]
        result = super().unlink()
        self._contoso_reconvert(before)
        return result
