from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request, route
from werkzeug.exceptions import NotFound

from .portal import ContosoCustomerPortal

ORDER_LIMIT = 40
SHEET_ROWS = 5
CUSTOMER_FIELDS = ("name", "street", "zip", "city", "email", "phone")
# The only product fields a reseller's Stock tab reads: no cost, no margin.
STOCK_FIELDS = ["display_name", "default_code", "free_qty"]


class ContosoResellerPortal(ContosoCustomerPortal):
    """The reseller extranet: orders and deliveries, stock, documentation and
    installation sheets. Its pages open to portal users whose company is a
    Contoso reseller; documentation and installation sheets also open to the
    customers they concern."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "contoso_sheet_count" in counters:
            # The record rule limits the count to his own sheets.
            values["contoso_sheet_count"] = request.env[
                "contoso.installation.sheet"
            ].search_count([])
        return values

    def _prepare_portal_layout_values(self):
        values = super()._prepare_portal_layout_values()
        values["contoso_is_reseller"] = self._contoso_is_reseller()
        return values

    def _contoso_is_reseller(self):
        user = request.env.user
        return (
            user._is_portal()
            and user.partner_id.commercial_partner_id.sudo().contoso_reseller
        )

    def _contoso_reseller(self):
        """The reseller company of the logged-in user; 404 for anyone else, so a
        customer cannot even tell the pages exist."""
        if not self._contoso_is_reseller():
            raise NotFound()
        return request.env.user.partner_id.commercial_partner_id

    def _contoso_reseller_products(self):
        # sudo: the portal cannot read the catalog; this is the reseller
        # catalog, read for whitelisted fields only (see STOCK_FIELDS).
        return (
            request.env["product.product"]
            .sudo()
            .search(
                [
                    ("contoso_sold_to_resellers", "=", True),
                    ("sale_ok", "=", True),
                ],
                order="default_code, name, id",
            )
        )

    # -- orders -------------------------------------------------------------

    @route("/my/reseller/orders", type="http", auth="user", website=True)
    def portal_reseller_orders(self, **kw):
        reseller = self._contoso_reseller()
        # Read as the portal user: Odoo's portal rules on sale.order apply.
        orders = request.env["sale.order"].search(
            [("partner_id", "child_of", reseller.id), ("state", "=", "sale")],
            order="date_order desc, id desc",
            limit=ORDER_LIMIT,
        )
        # sudo: Odoo's portal rule on stock.picking shows a contact only the
        # deliveries addressed to himself, not those of his company's orders.
        # These are the deliveries of the orders just read as him; the page
        # shows their name, state, dates and tracking reference only.
        pickings = (
            request.env["stock.picking"]
            .sudo()
            .search(
                [
                    ("sale_id", "in", orders.ids),
                    ("picking_type_code", "=", "outgoing"),
                ]
            )
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "contoso_reseller_orders",
                "orders": orders,
                "pickings_by_order": {
                    order.id: pickings.filtered(lambda p, o=order: p.sale_id == o)
                    for order in orders
                },
            }
        )
        return request.render("contoso_sales.portal_reseller_orders", values)

    # -- stock --------------------------------------------------------------

    def _contoso_stock_rows(self):
        company = request.env.company
        products = self._contoso_reseller_products()
        figures = products.read(STOCK_FIELDS)
        # sudo: incoming receipts of the reseller catalog; only the earliest
        # date per product leaves this method.
        receipts = dict(
            request.env["stock.move"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", products.ids),
                    ("picking_code", "=", "incoming"),
                    ("state", "not in", ("draft", "done", "cancel")),
                    ("date", ">=", fields.Datetime.now().replace(hour=0, minute=0)),
                ],
                ["product_id"],
                ["date:min"],
            )
        )
        low = company.contoso_reseller_low_stock
        rows = []
        for product, row in zip(products, figures, strict=True):
            qty = row["free_qty"]
            band = "out" if qty <= 0 else "low" if qty < low else "in"
            rows.append(
                {
                    "name": row["display_name"],
                    "code": row["default_code"],
                    "quantity": max(qty, 0)
                    if company.contoso_reseller_stock_display == "quantity"
                    else None,
                    "band": band,
                    "next_receipt": receipts.get(product),
                }
            )
        return rows

    @route("/my/reseller/stock", type="http", auth="user", website=True)
    def portal_reseller_stock(self, **kw):
        self._contoso_reseller()
        values = self._prepare_portal_layout_values()
        values.update(
            {"page_name": "contoso_reseller_stock", "rows": self._contoso_stock_rows()}
        )
        return request.render("contoso_sales.portal_reseller_stock", values)

    # -- documentation --------------------------------------------------------

    @route("/my/docs", type="http", auth="user", website=True)
    def portal_contoso_docs(self, **kw):
        if self._contoso_is_reseller():
            products = self._contoso_reseller_products()
        else:
            products = self._contoso_products(self._contoso_partner())
        templates = products.product_tmpl_id
        env = request.env
        # Read as the portal user: the rules hide installer sheets from
        # customers.
        documents = env["contoso.product.document"].search(
            [("product_tmpl_id", "in", templates.ids)]
        )
        codes = env["contoso.failure.code"].search(
            [("product_tmpl_id", "in", templates.ids)]
        )
        consumables = env["contoso.product.consumable"].search(
            [("product_tmpl_id", "in", templates.ids)]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "contoso_docs",
                "templates": templates.sudo(),
                "documents": documents,
                "codes": codes,
                # sudo: consumable names, from the catalog rows just read.
                "consumables": consumables.sudo(),
            }
        )
        return request.render("contoso_sales.portal_contoso_docs", values)

    @route("/my/docs/<int:document_id>/file", type="http", auth="user", website=True)
    def portal_contoso_doc_file(self, document_id, **kw):
        document = self._contoso_check("contoso.product.document", document_id)
        if not document.datas:
            raise NotFound()
        # sudo: access to the document was checked just above.
        return (
            request.env["ir.binary"]
            ._get_stream_from(document.sudo(), "datas", filename=document.filename)
            .get_response(as_attachment=True)
        )

    def _contoso_check(self, model, record_id):
        """The record as the portal user if his rules let him read it; 404
        otherwise, whether it exists or not."""
        record = request.env[model].browse(record_id).exists()
        if not record:
            raise NotFound()
        try:
            record.check_access("read")
        except AccessError as exc:
            raise NotFound() from exc
        return record

    # -- installation sheets --------------------------------------------------

    @route("/my/installations", type="http", auth="user", website=True)
    def portal_contoso_installations(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "contoso_installations",
                # The record rule limits the search to his sheets (reseller or
                # customer); sudo then only shows their partners' names.
                "sheets": request.env["contoso.installation.sheet"].search([]).sudo(),
            }
        )
        return request.render("contoso_sales.portal_contoso_installations", values)

    @route("/my/installations/<int:sheet_id>", type="http", auth="user", website=True)
    def portal_contoso_installation(self, sheet_id, **kw):
        sheet = self._contoso_check("contoso.installation.sheet", sheet_id)
        return self._render_installation(sheet)

    def _render_installation(self, sheet, error=False):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "contoso_installation",
                # sudo: access checked above; products and customer are shown.
                "sheet": sheet.sudo(),
                "can_edit": sheet.sudo().state == "draft"
                and sheet.sudo().reseller_id
                == request.env.user.partner_id.commercial_partner_id,
                "error": error,
            }
        )
        return request.render("contoso_sales.portal_contoso_installation", values)

    @route(
        "/my/installations/<int:sheet_id>/pdf",
        type="http",
        auth="user",
        website=True,
    )
    def portal_contoso_installation_pdf(self, sheet_id, report_type="pdf", **kw):
        sheet = self._contoso_check("contoso.installation.sheet", sheet_id)
        if report_type not in ("pdf", "html"):
            raise NotFound()
        return self._show_report(
            model=sheet.sudo(),  # access checked above
            report_type=report_type,
            report_ref="contoso_sales.action_report_installation_sheet",
            download=kw.get("download") == "true",
        )

    @route(
        "/my/installations/<int:sheet_id>/done",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_contoso_installation_done(self, sheet_id, **kw):
        reseller = self._contoso_reseller()
        sheet = self._contoso_check("contoso.installation.sheet", sheet_id)
        # sudo: the sheet is his to close only if his company filled it.
        sheet_sudo = sheet.sudo()
        if sheet_sudo.reseller_id != reseller:
            raise NotFound()
        try:
            sheet_sudo.action_done()
        except UserError as exc:
            return self._render_installation(sheet, exc.args[0])
        return request.redirect(f"/my/installations/{sheet.id}")

    def _contoso_known_customers(self, reseller):
        """Customers of the reseller's earlier sheets: the only existing
        partners he may pick."""
        # sudo: the customers of his own sheets, whose names he entered.
        return (
            request.env["contoso.installation.sheet"]
            .sudo()
            .search([("reseller_id", "=", reseller.id)])
            .customer_id
        )

    def _installation_form_values(self, reseller, form=None, error=False):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "contoso_installation_new",
                "products": self._contoso_reseller_products(),
                "customers": self._contoso_known_customers(reseller),
                "rows": range(SHEET_ROWS),
                "form": form or {},
                "error": error,
                "today": fields.Date.context_today(request.env.user),
            }
        )
        return values

    @route(
        "/my/installations/new",
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
    )
    def portal_contoso_installation_new(self, **kw):
        reseller = self._contoso_reseller()
        return request.render(
            "contoso_sales.portal_contoso_installation_new",
            self._installation_form_values(reseller),
        )

    @route(
        "/my/installations/new",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_contoso_installation_create(self, **post):
        """Reads only the form's fields; the reseller, the company and the
        state come from the session, never from the post."""
        reseller = self._contoso_reseller()
        form = {key: (value or "").strip() for key, value in post.items()}
        try:
            vals = self._installation_vals(reseller, form)
            # The savepoint drops what a constraint refuses before the page is
            # rendered (and the transaction committed).
            # sudo: portal users cannot create sheets or partners over RPC; this
            # form is their only way and every value is checked above.
            with request.env.cr.savepoint():
                if not vals.get("customer_id"):
                    vals["customer_id"] = (
                        request.env["res.partner"]
                        .sudo()
                        .create(vals.pop("new_customer"))
                        .id
                    )
                sheet = request.env["contoso.installation.sheet"].sudo().create(vals)
        except (UserError, ValidationError) as exc:
            return request.render(
                "contoso_sales.portal_contoso_installation_new",
                self._installation_form_values(reseller, form, exc.args[0]),
            )
        return request.redirect(f"/my/installations/{sheet.id}")

    def _installation_vals(self, reseller, form):
        env = request.env
        vals = {
            "reseller_id": reseller.id,
            "company_id": env.user.company_id.id,
            "maintenance_points": form.get("maintenance_points") or False,
            "consumables": form.get("consumables") or False,
        }
        try:
            vals["date"] = fields.Date.to_date(form.get("date") or "missing")
        except ValueError as exc:
            raise UserError(env._("Installed on: enter a date (YYYY-MM-DD).")) from exc
        if vals["date"] > fields.Date.context_today(env.user):
            raise UserError(env._("Installed on: the date cannot be in the future."))
        customer_id = form.get("customer_id")
        if customer_id:
            known = self._contoso_known_customers(reseller)
            if not customer_id.isdigit() or int(customer_id) not in known.ids:
                raise UserError(
                    env._("Customer: pick one of your customers or enter a new one.")
                )
            vals["customer_id"] = int(customer_id)
        else:
            if not form.get("name"):
                raise UserError(
                    env._("Customer: enter the customer's name, or pick one.")
                )
            vals["new_customer"] = {
                key: form.get(key) or False for key in CUSTOMER_FIELDS
            } | {
                "type": "contact",
                "comment": env._(
                    "Created by reseller %(reseller)s on an installation sheet.",
                    reseller=reseller.name,
                ),
            }
        allowed = self._contoso_reseller_products()
        lines = []
        for row in range(SHEET_ROWS):
            product_id = form.get(f"product_{row}")
            serial = form.get(f"serial_{row}") or False
            if not product_id:
                if serial:
                    raise UserError(
                        env._(
                            "Line %(row)s: pick the product of serial number "
                            "%(serial)s.",
                            row=row + 1,
                            serial=serial,
                        )
                    )
                continue
            if not product_id.isdigit() or int(product_id) not in allowed.ids:
                raise UserError(
                    env._("Line %(row)s: pick a product of the list.", row=row + 1)
                )
            lines.append(
                (0, 0, {"product_id": int(product_id), "serial_number": serial})
            )
        if not lines:
            raise UserError(env._("Add at least one installed product."))
        vals["line_ids"] = lines
        return vals
