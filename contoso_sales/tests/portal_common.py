from datetime import date, timedelta

from .http_common import ContosoHttpCase, rpc_user


def next_weekday(days=1):
    """A working day at least `days` ahead: callback windows fall on those."""
    day = date.today() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class ContosoPortalCase(ContosoHttpCase):
    """Two customers and their portal logins, without demo data.

    - Carla, a person with her own purchases;
    - Dan, a contact of the company Northwind, which has its own purchases;
      Erin, a second contact of Northwind.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = rpc_user(
            cls.env,
            "p_sally",
            "base.group_user,contoso_sales.group_salesperson",
            name="Portal Sally",
        )
        Partner = cls.env["res.partner"]
        cls.carla = Partner.create(
            {"name": "Carla Portal", "email": "carla@p.example", "user_id": False}
        )
        cls.carla.user_id = cls.salesperson
        cls.northwind = Partner.create({"name": "Northwind", "is_company": True})
        cls.dan = Partner.create(
            {"name": "Dan Portal", "parent_id": cls.northwind.id, "email": "d@n.ex"}
        )
        cls.erin = Partner.create(
            {"name": "Erin Portal", "parent_id": cls.northwind.id, "email": "e@n.ex"}
        )
        cls.carla_user = cls._portal_user("p_carla", cls.carla)
        cls.dan_user = cls._portal_user("p_dan", cls.dan)
        cls.erin_user = cls._portal_user("p_erin", cls.erin)
        cls.product = cls.env["product.product"].create(
            {"name": "Portal Doorbell", "list_price": 199}
        )
        Purchase = cls.env["contoso.purchase"]
        cls.carla_shop = Purchase.create(
            {
                "channel": "pos",
                "source_ref": "P-CARLA-SHOP",
                "partner_id": cls.carla.id,
                "date": "2026-01-10",
                "amount_total": 129,
                "subject": "Carla camera in store",
            }
        )
        cls.carla_web = Purchase.create(
            {
                "channel": "online",
                "source_ref": "P-CARLA-WEB",
                "partner_id": cls.carla.id,
                "date": "2026-02-10",
                "amount_total": 39,
                "subject": "Carla sensor online",
            }
        )
        cls.northwind_shop = Purchase.create(
            {
                "channel": "pos",
                "source_ref": "P-NORTHWIND-SHOP",
                "partner_id": cls.northwind.id,
                "date": "2026-01-15",
                "amount_total": 777,
                "subject": "Northwind secret kit",
            }
        )
        cls.carla_card = cls.env["contoso.loyalty.member"].create(
            {
                "loyalty_ref": "LOYID_P1",
                "name": "Carla Portal",
                "partner_id": cls.carla.id,
                "points": 340,
            }
        )
        cls.carla_order = cls.env["sale.order"].create(
            {
                "partner_id": cls.carla.id,
                "order_line": [
                    (0, 0, {"product_id": cls.product.id, "price_unit": 199})
                ],
            }
        )
        cls.carla_order.action_confirm()

    @classmethod
    def _portal_user(cls, login, partner):
        return rpc_user(
            cls.env,
            login,
            "base.group_portal",
            partner_id=partner.id,
            name=partner.name,
            email=partner.email,
        )
