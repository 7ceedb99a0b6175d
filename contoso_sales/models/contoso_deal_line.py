from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ContosoDealLine(models.Model):
    _name = "contoso.deal.line"
    _description = "Deal Product Line"
    _order = "lead_id, sequence, id"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Deal",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="lead_id.company_id")
    product_id = fields.Many2one(
        "product.product",
        required=True,
        domain=[("sale_ok", "=", True)],
        index=True,
    )
    name = fields.Text(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
        help="Printed on the quotation line; defaults to the product's sales "
        "description.",
    )
    product_uom_qty = fields.Float(
        string="Quantity", default=1.0, digits="Product Unit"
    )
    price_unit = fields.Float(
        string="Unit Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
        min_display_digits="Product Price",
        help="Defaults to the product's sales price, in the deal's company currency.",
    )
    discount = fields.Float(string="Discount (%)", digits="Discount", default=0.0)
    currency_id = fields.Many2one(related="lead_id.company_currency", string="Currency")
    price_subtotal = fields.Monetary(
        string="Subtotal",
        compute="_compute_price_subtotal",
        store=True,
        precompute=True,
        currency_field="currency_id",
        help="Quantity × unit price, minus the discount, before taxes.",
    )

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            if line.product_id:
                line.name = line.product_id.get_product_multiline_description_sale()

    @api.depends("product_id")
    def _compute_price_unit(self):
        for line in self:
            if line.product_id:
                line.price_unit = line.product_id.lst_price

    @api.depends("product_uom_qty", "price_unit", "discount")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = (
                line.product_uom_qty * line.price_unit * (1 - line.discount / 100.0)
            )

    @api.constrains("product_uom_qty", "price_unit", "discount")
    def _check_amounts(self):
        for line in self:
            deal, product = line.lead_id.name, line.product_id.display_name
            if line.product_uom_qty <= 0:
                raise ValidationError(
                    self.env._(
                        "Deal '%(deal)s': the quantity of '%(product)s' must be "
                        "greater than zero (got %(qty)s). Set a positive quantity "
                        "or remove the line.",
                        deal=deal,
                        product=product,
                        qty=line.product_uom_qty,
                    )
                )
            if not 0 <= line.discount <= 100:
                raise ValidationError(
                    self.env._(
                        "Deal '%(deal)s': the discount on '%(product)s' must be "
                        "between 0 and 100%% (got %(discount)s%%).",
                        deal=deal,
                        product=product,
                        discount=line.discount,
                    )
                )
            if line.price_unit < 0:
                raise ValidationError(
                    self.env._(
                        "Deal '%(deal)s': the unit price of '%(product)s' cannot be "
                        "negative (got %(price)s). Use a discount to lower it.",
                        deal=deal,
                        product=product,
                        price=line.price_unit,
                    )
                )

    # The lines make the deal's amount: a technical consultant cannot change them
    # (see crm.lead._contoso_check_consultant_change).
    @api.model_create_multi
    def create(self, vals_list):
        leads = self.env["crm.lead"].browse(
            {vals["lead_id"] for vals in vals_list if vals.get("lead_id")}
        )
        leads._contoso_check_consultant_change(["deal_line_ids"])
        return super().create(vals_list)

    def write(self, vals):
        self.lead_id._contoso_check_consultant_change(["deal_line_ids"])
        return super().write(vals)

    def unlink(self):
        self.lead_id._contoso_check_consultant_change(["deal_line_ids"])
        return super().unlink()
