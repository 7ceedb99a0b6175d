from odoo.service.model import retrying
from odoo.tests import tagged

from .test_concurrency import ConcurrencyCase, Pause


@tagged("post_install", "-at_install")
class TestConcurrentRateChange(ConcurrencyCase):
    """A rate added while a purchase in that currency is written on another
    connection: each transaction is blind to the other's row (the rate change
    converts the purchases it sees, the purchase is converted at the rates it
    sees). The stored amount and the customer's totals must still end at the
    new rate, as the live definition says."""

    def setUp(self):
        super().setUp()

        def prepare(env):
            company = env.ref("base.main_company")
            currency = env.ref("base.EUR")
            if currency == company.currency_id:
                currency = env.ref("base.USD")
            partner = env["res.partner"].create({"name": "Rate race customer"})
            rate = env["res.currency.rate"].create(
                {
                    "name": "2020-01-01",
                    "rate": 2.0,
                    "currency_id": currency.id,
                    "company_id": company.id,
                }
            )
            return company.id, company.currency_id.id, currency.id, partner.id, rate.id

        (
            self.company,
            self.company_currency,
            self.currency,
            self.partner,
            rate,
        ) = self._committed(prepare)

        def cleanup(env):
            env["contoso.purchase"].search([("partner_id", "=", self.partner)]).unlink()
            env["res.currency.rate"].search(
                [
                    ("currency_id", "in", [self.currency, self.company_currency]),
                    ("company_id", "=", self.company),
                ]
            ).filtered(lambda r: r.id == rate or str(r.name) == "2024-01-01").unlink()
            env["res.partner"].browse(self.partner).unlink()

        self.addCleanup(self._committed, cleanup)

    def test_purchase_written_during_a_rate_change_ends_at_the_new_rate(self):
        # 400 at the rate of 2024-01-01, in the purchase and in the totals.
        self.assertEqual(self._race_rate(self.currency, 4.0), (100.0, (100,)))

    def test_purchase_written_during_a_company_currency_rate_change(self):
        # The rate converted into changes: 400 x 3 / 2.
        self.assertEqual(self._race_rate(self.company_currency, 3.0), (600.0, (600,)))

    def _race_rate(self, currency, new_rate):
        pause = Pause()

        def add_rate(env):
            env["res.currency.rate"].create(
                {
                    "name": "2024-01-01",
                    "rate": new_rate,
                    "currency_id": currency,
                    "company_id": self.company,
                }
            )
            env.flush_all()
            pause()  # not committed yet while the purchase is written

        def add_purchase(env):
            def create():
                env["contoso.purchase"].create(
                    {
                        "channel": "online",
                        "source_ref": "RATE-RACE-1",
                        "partner_id": self.partner,
                        "company_id": self.company,
                        "currency_id": self.currency,
                        "date": "2024-06-01",
                        "amount_total": 400,
                    }
                )

            retrying(create, env)

        self._race(add_rate, add_purchase, pause)

        def stored(env):
            env.cr.execute(
                "SELECT spend_web FROM contoso_purchase_total "
                "WHERE partner_id = %s AND company_id = %s",
                [self.partner, self.company],
            )
            total = env.cr.fetchone()
            purchase = env["contoso.purchase"].search(
                [("partner_id", "=", self.partner)]
            )
            return purchase.amount_company, total

        return self._committed(stored)
