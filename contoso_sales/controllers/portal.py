from odoo import fields
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import ValidationError
from odoo.http import request, route

from ..models.contoso_callback_request import SLOTS, SUBJECTS

# The timeline shows the latest entries of each source: the page costs the same
# for a customer with 1 or 10,000 purchases.
TIMELINE_LIMIT = 20
CALLBACK_FIELDS = ("subject", "date", "slot", "phone", "note")


class ContosoCustomerPortal(CustomerPortal):
    """*My Contoso*: a customer's purchases in every channel, his loyalty card,
    the products he owns, and his callback requests."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "contoso_callback_count" in counters:
            # The portal user's record rule limits the count to his own requests.
            values["contoso_callback_count"] = request.env[
                "contoso.callback.request"
            ].search_count([("state", "=", "requested")])
        return values

    def _contoso_partner(self):
        """The commercial partner whose records the logged-in user sees; taken
        from the session's user, never from the request."""
        return request.env.user.partner_id.commercial_partner_id

    def _contoso_timeline(self, partner):
        """Latest orders, invoices and shop/web purchases, newest first, and the
        totals per channel: a fixed number of queries whatever the history."""
        env = request.env
        # Orders and invoices are read as the portal user: Odoo's portal rules
        # on sale.order and account.move apply on top of this domain.
        order_domain = [
            ("partner_id", "child_of", partner.id),
            ("state", "=", "sale"),
        ]
        orders = env["sale.order"].search(
            order_domain, order="date_order desc, id desc", limit=TIMELINE_LIMIT
        )
        invoices = env["account.move"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund")),
            ],
            order="invoice_date desc, id desc",
            limit=TIMELINE_LIMIT,
        )
        # The record rule on contoso.purchase limits this to his own purchases.
        purchase_domain = [("partner_id", "child_of", partner.id)]
        purchases = env["contoso.purchase"].search(
            purchase_domain, limit=TIMELINE_LIMIT
        )
        entries = (
            [
                {
                    "date": fields.Date.context_today(order, order.date_order),
                    "channel": env._("Sales order"),
                    "name": order.name,
                    "amount": order.amount_total,
                    "currency": order.currency_id,
                    "url": order.get_portal_url(),
                }
                for order in orders
            ]
            + [
                {
                    "date": move.invoice_date,
                    "channel": env._("Invoice")
                    if move.move_type == "out_invoice"
                    else env._("Credit Note"),
                    "name": move.name,
                    "amount": move.amount_total,
                    "currency": move.currency_id,
                    "url": move.get_portal_url(),
                }
                for move in invoices
            ]
            + [
                {
                    "date": purchase.date,
                    "channel": env._("Shop")
                    if purchase.channel == "pos"
                    else env._("Web"),
                    "name": purchase.subject or purchase.source_ref,
                    "amount": purchase.amount_total,
                    "currency": purchase.currency_id,
                    "url": False,
                }
                for purchase in purchases
            ]
        )
        entries.sort(key=lambda e: e["date"] or fields.Date.today(), reverse=True)
        totals = {"order": 0.0, "pos": 0.0, "online": 0.0}
        for (total,) in env["sale.order"]._read_group(
            order_domain, aggregates=["amount_total:sum"]
        ):
            totals["order"] = total or 0.0
        for channel, total in env["contoso.purchase"]._read_group(
            purchase_domain, ["channel"], ["amount_total:sum"]
        ):
            totals[channel] = total or 0.0
        return entries[:TIMELINE_LIMIT], totals

    def _contoso_loyalty(self, partner):
        # sudo: the portal has no access to loyalty members (they hold matching
        # details about other contacts); the domain is the logged-in user's
        # commercial partner and only the card number and points are read.
        return (
            request.env["contoso.loyalty.member"]
            .sudo()
            .search_read(
                [("partner_id", "child_of", partner.id)],
                ["loyalty_ref", "points"],
                order="loyalty_ref",
            )
        )

    def _contoso_products(self, partner):
        """Goods of his confirmed orders (services are no product he owns), found
        through his order lines: Odoo's portal rule on sale.order.line applies."""
        products = request.env["product.product"]
        for (product,) in request.env["sale.order.line"]._read_group(
            [
                ("order_id.partner_id", "child_of", partner.id),
                ("order_id.state", "=", "sale"),
                ("product_id", "!=", False),
                ("display_type", "=", False),
            ],
            ["product_id"],
        ):
            products |= product
        # sudo: the portal may not read the catalog; these products come from his
        # own order lines and only their names are shown.
        return products.sudo().filtered(lambda p: p.type != "service")

    def _contoso_values(self, **kwargs):
        partner = self._contoso_partner()
        entries, totals = self._contoso_timeline(partner)
        values = self._prepare_portal_layout_values()
        today = fields.Date.context_today(request.env.user)
        Callback = request.env["contoso.callback.request"]
        values.update(
            {
                "page_name": "contoso",
                "contoso_partner": partner,
                "timeline": entries,
                "totals": totals,
                "currency": request.env.company.currency_id,
                "loyalty_cards": self._contoso_loyalty(partner),
                "products": self._contoso_products(partner),
                "callbacks": Callback.search([], limit=TIMELINE_LIMIT),
                # the selections' labels in the customer's language
                "subjects": Callback._fields["subject"]._description_selection(
                    request.env
                ),
                "slots": Callback._fields["slot"]._description_selection(request.env),
                "today": today,
                "callback_form": {},
                "callback_error": False,
            }
        )
        values.update(kwargs)
        return values

    @route("/my/contoso", type="http", auth="user", website=True)
    def portal_my_contoso(self, **kw):
        return request.render(
            "contoso_sales.portal_my_contoso",
            self._contoso_values(callback_sent=kw.get("callback_sent")),
        )

    @route(
        "/my/contoso/callback",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_contoso_callback(self, **post):
        """Only the form's fields are read: the customer, the company and the
        representative come from the session's user, never from the post."""
        form = {key: (post.get(key) or "").strip() for key in CALLBACK_FIELDS}
        error = self._contoso_callback_error(form)
        if not error:
            user = request.env.user
            partner = user.partner_id.commercial_partner_id
            Request = request.env["contoso.callback.request"]
            try:
                # The savepoint drops a request its constraints refuse: the
                # page is rendered, and the transaction committed, after this.
                # sudo: portal users cannot create requests over RPC; this form is
                # their only way, and every value below is either checked above
                # and by the model's constraints, or taken from the session.
                with request.env.cr.savepoint():
                    Request.sudo().create(
                        {
                            "partner_id": partner.id,
                            "requested_by_id": user.partner_id.id,
                            "subject": form["subject"],
                            "date": form["date"],
                            "slot": form["slot"],
                            "phone": form["phone"] or user.partner_id.phone,
                            "note": form["note"],
                            "user_id": Request.sudo()._representative(partner).id,
                            "company_id": user.company_id.id,
                        }
                    )
            except ValidationError as exc:
                error = exc.args[0]
        if error:
            return request.render(
                "contoso_sales.portal_my_contoso",
                self._contoso_values(callback_form=form, callback_error=error),
            )
        return request.redirect("/my/contoso?callback_sent=1")

    def _contoso_callback_error(self, form):
        env = request.env
        if form["subject"] not in dict(SUBJECTS):
            return env._("Pick a subject for your callback request.")
        if form["slot"] not in dict(SLOTS):
            return env._("Pick a time window for your callback request.")
        try:
            fields.Date.to_date(form["date"] or "missing")
        except ValueError:
            return env._("Pick a day for your callback request (YYYY-MM-DD).")
        if len(form["note"]) > 2000 or len(form["phone"]) > 64:
            return env._("Your message is too long: keep it under 2,000 characters.")
        return False
