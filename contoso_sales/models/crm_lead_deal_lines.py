from odoo import api, fields, models
from odoo.fields import Command


class CrmLead(models.Model):
    """Deal product lines (Develop) and quotation iterations (Quote)."""

    _inherit = "crm.lead"

    deal_line_ids = fields.One2many(
        "contoso.deal.line",
        "lead_id",
        string="Products",
        copy=True,
        help="Products the customer is interested in; the quotation starts from them.",
    )
    deal_lines_total = fields.Monetary(
        string="Products Total",
        compute="_compute_deal_lines_total",
        store=True,
        currency_field="company_currency",
        help="Sum of the product lines' subtotals, before taxes.",
    )
    # Follows the product lines; a stored compute so that every path changing a
    # line (form, RPC on contoso.deal.line, unlink) updates it, in batch.
    # default=None: crm's default 0.0 would count as a given value on create
    # and stop the computation.
    expected_revenue = fields.Monetary(
        compute="_compute_expected_revenue",
        store=True,
        readonly=False,
        copy=True,
        default=None,
    )
    expected_revenue_manual = fields.Boolean(
        string="Expected Revenue Set by Hand",
        tracking=True,
        help="Set when someone enters an expected revenue different from the "
        "product lines' total; the revenue then stops following the lines "
        "until 'Follow product lines' is clicked.",
    )
    contoso_quote_iteration_count = fields.Integer(
        string="Quotation Iterations",
        compute="_compute_contoso_quote_iterations",
        help="Quotations made for this deal, in any state but cancelled.",
    )
    contoso_latest_quote_id = fields.Many2one(
        "sale.order",
        string="Latest Quotation",
        compute="_compute_contoso_quote_iterations",
    )
    contoso_latest_quote_currency_id = fields.Many2one(
        "res.currency",
        string="Latest Quotation Currency",
        compute="_compute_contoso_quote_iterations",
    )
    # A float shown with the quotation's currency (the form's monetary widget):
    # the order's total is rounded already, and a Monetary field rounds again
    # on assignment, which read the currency (a query on every deal form with
    # quotations).
    contoso_latest_quote_amount = fields.Float(
        string="Latest Quotation Amount",
        compute="_compute_contoso_quote_iterations",
        help="Total, taxes included, of the most recent quotation, in its "
        "currency (Latest Quotation Currency).",
    )

    @api.depends("deal_line_ids.price_subtotal")
    def _compute_deal_lines_total(self):
        for lead in self:
            lead.deal_lines_total = sum(lead.deal_line_ids.mapped("price_subtotal"))

    @api.depends("deal_lines_total", "expected_revenue_manual")
    def _compute_expected_revenue(self):
        for lead in self:
            if lead.deal_line_ids and not lead.expected_revenue_manual:
                lead.expected_revenue = lead.deal_lines_total
            elif not lead.expected_revenue:
                # no NULL for new deals without lines (crm's default was 0.0)
                lead.expected_revenue = 0.0

    @api.depends("order_ids.state", "order_ids.amount_total")
    def _compute_contoso_quote_iterations(self):
        # the orders sale_crm reads for the form's quotation and order counts,
        # kept to those the reader may read: the one2many's cache is shared by
        # every user of the transaction (filled by a superuser read, it holds
        # other salespeople's orders); one query, only for deals with orders
        readable = self.order_ids._origin._filtered_access("read")
        no_order = self.env["sale.order"]
        for lead in self:
            quotes = lead.order_ids.filtered(
                lambda order: order._origin in readable and order.state != "cancel"
            )
            latest = no_order.browse(max(quotes.ids, default=None) or ())
            lead.contoso_quote_iteration_count = len(quotes)
            lead.contoso_latest_quote_id = latest
            lead.contoso_latest_quote_currency_id = latest.currency_id
            lead.contoso_latest_quote_amount = latest.amount_total

    @api.onchange("expected_revenue")
    def _onchange_expected_revenue_manual(self):
        self._contoso_flag_manual_revenue()

    def _contoso_flag_manual_revenue(self):
        """An expected revenue entered by hand that differs from the lines'
        total stops the revenue from following the lines."""
        manual = self.filtered(
            lambda lead: (
                lead.deal_line_ids
                and not lead.expected_revenue_manual
                and lead.company_currency.compare_amounts(
                    lead.expected_revenue, lead.deal_lines_total
                )
            )
        )
        if manual:
            manual.expected_revenue_manual = True

    def action_follow_deal_lines(self):
        self.write({"expected_revenue_manual": False})
        return True

    def action_view_sale_quotation(self):
        action = super().action_view_sale_quotation()
        # every iteration stays visible, sent and confirmed ones included
        action["context"].pop("search_default_draft", None)
        return action

    def _get_action_view_sale_quotation_domain(self):
        return [("state", "!=", "cancel")]

    def _prepare_opportunity_quotation_context(self):
        context = super()._prepare_opportunity_quotation_context()
        if self.deal_line_ids:
            context["default_order_line"] = [
                Command.create(vals) for vals in self._contoso_quotation_line_values()
            ]
        return context

    def _contoso_quotation_line_values(self):
        self.ensure_one()
        # Without the discounts group the quotation form has no discount column,
        # so a discount sent apart would be dropped: it goes into the price.
        keep_discount = self.env.user.has_group("sale.group_discount_per_so_line")
        return [
            {
                "sequence": line.sequence,
                "product_id": line.product_id.id,
                "name": line.name,
                "product_uom_qty": line.product_uom_qty,
                "price_unit": line.price_unit
                if keep_discount
                else line.price_unit * (1 - line.discount / 100.0),
                "discount": line.discount if keep_discount else 0.0,
            }
            for line in self.deal_line_ids
        ]

    def _merge_get_fields_specific(self):
        fields_info = super()._merge_get_fields_specific()
        # the merged deal keeps every product line instead of cascading them away
        fields_info["deal_line_ids"] = lambda fname, leads: [
            Command.link(line.id) for line in leads.deal_line_ids
        ]
        return fields_info

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        leads.browse(
            [
                lead.id
                for lead, vals in zip(leads, vals_list, strict=True)
                if "expected_revenue" in vals and "expected_revenue_manual" not in vals
            ]
        )._contoso_flag_manual_revenue()
        return leads

    def write(self, vals):
        result = super().write(vals)
        if "expected_revenue" in vals and "expected_revenue_manual" not in vals:
            self._contoso_flag_manual_revenue()
        return result
