from odoo import fields, models


class ContosoCustomer(models.Model):
    """One line per customer with spend per channel: a SQL view, so it is right
    after every import and every order without any recomputation."""

    _name = "contoso.customer"
    _description = "Customer"
    _auto = False
    _order = "spend_total desc, id"
    _rec_name = "name"
    # The ORM flushes these before reading the query.
    _depends = {
        "res.partner": ["name", "email", "active", "is_company", "contoso_contact_ref"],
        "contoso.purchase": ["partner_id", "amount_total", "channel", "date"],
        "contoso.loyalty.member": ["partner_id", "loyalty_ref", "points"],
        "sale.order": ["partner_id", "amount_total", "state", "date_order"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    name = fields.Char(string="Name", readonly=True)
    email = fields.Char(string="E-mail", readonly=True)
    contact_ref = fields.Char(string="Contact ID", readonly=True)
    loyalty_ref = fields.Char(string="Loyalty ID", readonly=True)
    points = fields.Integer(string="Loyalty Points", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    spend_crm = fields.Monetary(string="CRM Orders", readonly=True)
    spend_shop = fields.Monetary(string="Shop", readonly=True)
    spend_web = fields.Monetary(string="Web", readonly=True)
    spend_total = fields.Monetary(string="Total Spend", readonly=True)
    purchase_count = fields.Integer(string="Purchases", readonly=True)
    first_purchase = fields.Date(string="First Purchase", readonly=True)
    last_purchase = fields.Date(string="Last Purchase", readonly=True)

    @property
    def _table_query(self):
        # A query, not a view object: nothing to create or drop, and it is read
        # only when someone looks at customers.
        return """

               SELECT p.id, p.id AS partner_id, p.name, p.email,
                      p.contoso_contact_ref AS contact_ref, lm.loyalty_ref,
                      COALESCE(lm.points, 0) AS points,
                      (SELECT currency_id FROM res_company ORDER BY id LIMIT 1)
                          AS currency_id,
                      COALESCE(so.amount, 0) AS spend_crm,
                      COALESCE(pu.shop, 0) AS spend_shop,
                      COALESCE(pu.web, 0) AS spend_web,
                      COALESCE(so.amount, 0) + COALESCE(pu.shop, 0)
                          + COALESCE(pu.web, 0) AS spend_total,
                      COALESCE(pu.count, 0) + COALESCE(so.count, 0)
                          AS purchase_count,
                      LEAST(pu.first_date, so.first_date) AS first_purchase,
                      GREATEST(pu.last_date, so.last_date) AS last_purchase
                 FROM res_partner p
            LEFT JOIN (SELECT partner_id,
                              SUM(amount_total) FILTER (WHERE channel = 'pos')
                                  AS shop,
                              SUM(amount_total) FILTER (WHERE channel = 'online')
                                  AS web,
                              COUNT(*) AS count, MIN(date) AS first_date,
                              MAX(date) AS last_date
                         FROM contoso_purchase
                        GROUP BY partner_id) pu ON pu.partner_id = p.id
            LEFT JOIN (SELECT partner_id, SUM(amount_total) AS amount,
                              COUNT(*) AS count,
                              MIN(date_order)::date AS first_date,
                              MAX(date_order)::date AS last_date
                         FROM sale_order
                        WHERE state = 'sale'
                        GROUP BY partner_id) so ON so.partner_id = p.id
            LEFT JOIN (SELECT partner_id,
                              STRING_AGG(loyalty_ref, ', ' ORDER BY loyalty_ref)
                                  AS loyalty_ref,
                              SUM(points) AS points
                         FROM contoso_loyalty_member
                        GROUP BY partner_id) lm ON lm.partner_id = p.id
                WHERE p.active AND NOT p.is_company
                  AND (p.contoso_contact_ref IS NOT NULL
                       OR pu.partner_id IS NOT NULL
                       OR lm.partner_id IS NOT NULL
                       OR so.partner_id IS NOT NULL)
        """

    def action_open_partner(self):
        """A row of the list opens the partner form, where Customer 360 is."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
