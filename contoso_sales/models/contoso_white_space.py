from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain

MANAGER_GROUP = "contoso_sales.group_sales_manager"
CROSS_SELL_TAG = "contoso_sales.crm_tag_cross_sell"


class ContosoWhiteSpace(models.AbstractModel):
    """White space of an account family: which subsidiary bought what, and the
    gaps, each worth the price the family is known to pay for it."""

    _name = "contoso.white.space"
    _description = "Family White Space"

    @api.model
    def _family(self, family_id):
        family = self.env["res.partner"].browse(family_id).exists()
        if not family:
            raise UserError(
                self.env._(
                    "The family #%(id)s does not exist (any more).", id=family_id
                )
            )
        return family.contoso_family_id or family

    @api.model
    def _column_field(self, by):
        if by not in ("category", "product"):
            raise UserError(
                self.env._(
                    "The white space is shown by 'category' or 'product', not "
                    "'%(by)s'.",
                    by=by,
                )
            )
        return "categ_id" if by == "category" else "product_id"

    @api.model
    def get_matrix(self, family_id, by="category"):
        """The family's companies × what the family buys.

        Columns are the categories (or products) bought by at least one company
        of the family, biggest first. A gap is priced with the family's
        best-selling product of its column: list price less the company's
        standard discount, times the average quantity a buying company took.
        Two grouped queries whatever the family's size, plus one for the open
        cross-sell deals.
        """
        family = self._family(family_id)
        column = self._column_field(by)
        members = self.env["res.partner"].search(
            [("contoso_family_id", "=", family.id), ("is_company", "=", True)],
            order="name",
        )
        members = family | (members - family)
        Report = self.env["contoso.family.report"]
        # Each company's amounts are converted into the current company's
        # currency, as the family revenue does.
        rates = Report._company_rates()
        domain = (
            Domain("family_id", "=", family.id)
            & Domain(column, "!=", False)
            & Domain("company_id", "in", list(rates))
        )
        bought = defaultdict(float)
        for partner, col, company, amount in Report._read_group(
            domain, ["partner_id", column, "company_id"], ["amount:sum"]
        ):
            bought[partner, col] += amount * rates[company.id]
        totals = defaultdict(float)
        for (_partner, col), amount in bought.items():
            totals[col] += amount
        columns = sorted(totals, key=lambda col: (-totals[col], col.display_name))
        reference = {}
        per_product = Report._read_group(
            domain,
            [column, "product_id"],
            ["amount:sum", "quantity:sum", "partner_id:count_distinct"],
        )
        for col, product, _amount, qty, buyers in sorted(
            per_product, key=lambda row: -row[2]
        ):
            if col not in reference and qty > 0 and buyers:
                reference[col] = (product, max(round(qty / buyers), 1))
        open_deals = self._open_cross_sells(members, column)
        currency = self.env.company.currency_id
        rows, potential, gaps = [], 0.0, 0
        for partner in members:
            cells = []
            for col in columns:
                amount = bought.get((partner, col), 0.0)
                cell = {"column_id": col.id, "amount": amount, "gap": False}
                if currency.is_zero(amount) and col in reference:
                    product, quantity = reference[col]
                    discount = partner.contoso_standard_discount
                    price = product.lst_price
                    deal = open_deals.get((partner, col))
                    cell.update(
                        gap=True,
                        product_id=product.id,
                        product_name=product.display_name,
                        quantity=quantity,
                        price=price,
                        discount=discount,
                        potential=currency.round(
                            price * quantity * (1 - discount / 100.0)
                        ),
                        deal_id=deal.id if deal else False,
                        deal_name=deal.name if deal else False,
                    )
                    if not deal:
                        potential += cell["potential"]
                        gaps += 1
                cells.append(cell)
            rows.append(
                {
                    "partner_id": partner.id,
                    "name": partner.display_name,
                    "parent_name": partner.parent_id.display_name or "",
                    "salesperson": partner.user_id.name or "",
                    "total": sum(c["amount"] for c in cells),
                    "cells": cells,
                }
            )
        return {
            "family_id": family.id,
            "family_name": family.display_name,
            "by": by,
            "columns": [{"id": col.id, "name": col.display_name} for col in columns],
            "rows": rows,
            "potential": potential,
            "gaps": gaps,
            "currency_id": currency.id,
        }

    @api.model
    def _open_cross_sells(self, members, column):
        """{(account, column): open cross-sell deal} for the family's accounts."""
        tag = self.env.ref(CROSS_SELL_TAG, raise_if_not_found=False)
        if not tag:
            return {}
        lines = self.env["contoso.deal.line"].search(
            [
                ("lead_id.partner_id", "in", members.ids),
                ("lead_id.tag_ids", "in", tag.ids),
                ("lead_id.type", "=", "opportunity"),
                ("lead_id.active", "=", True),
                ("lead_id.won_status", "=", "pending"),
            ]
        )
        found = {}
        for line in lines:
            col = line.product_id.categ_id if column == "categ_id" else line.product_id
            found.setdefault((line.lead_id.partner_id, col), line.lead_id)
        return found

    @api.model
    def create_cross_sell(self, partner_id, column_id, by="category"):
        """Create the cross-sell deal of one gap and return the action opening it."""
        column = self._column_field(by)
        partner = self.env["res.partner"].browse(partner_id).exists()
        if not partner:
            raise UserError(
                self.env._(
                    "The account #%(id)s does not exist (any more).", id=partner_id
                )
            )
        matrix = self.get_matrix(partner.contoso_family_id.id, by=by)
        row = next((r for r in matrix["rows"] if r["partner_id"] == partner.id), None)
        cell = row and next(
            (c for c in row["cells"] if c["column_id"] == column_id), None
        )
        comodel = "product.category" if column == "categ_id" else "product.product"
        label = self.env[comodel].browse(column_id).display_name
        if not cell or not cell["gap"]:
            raise UserError(
                self.env._(
                    "'%(partner)s' already buys '%(column)s' (or the family does "
                    "not): there is no gap to cross-sell.",
                    partner=partner.display_name,
                    column=label,
                )
            )
        if cell["deal_id"]:
            raise UserError(
                self.env._(
                    "'%(partner)s' already has the open cross-sell deal "
                    "'%(deal)s' for '%(column)s'.",
                    partner=partner.display_name,
                    deal=cell["deal_name"],
                    column=label,
                )
            )
        salesperson = partner.user_id or self.env.user
        if salesperson != self.env.user and not self.env.user.has_group(
            "sales_team.group_sale_salesman_all_leads"
        ):
            raise UserError(
                self.env._(
                    "The cross-sell deal for '%(partner)s' would belong to its "
                    "salesperson %(salesperson)s, and you may only create your "
                    "own deals. Ask %(salesperson)s or a sales manager.",
                    partner=partner.display_name,
                    salesperson=salesperson.name,
                )
            )
        deal = self.env["crm.lead"].create(
            {
                "name": self.env._(
                    "Cross-sell %(column)s to %(partner)s",
                    column=label,
                    partner=partner.display_name,
                ),
                "type": "opportunity",
                "partner_id": partner.id,
                "user_id": salesperson.id,
                "tag_ids": [Command.link(self.env.ref(CROSS_SELL_TAG).id)],
                "deal_line_ids": [
                    Command.create(
                        {
                            "product_id": cell["product_id"],
                            "product_uom_qty": cell["quantity"],
                            "price_unit": cell["price"],
                            "discount": cell["discount"],
                        }
                    )
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": deal.id,
            "views": [[False, "form"]],
            "target": "current",
        }
