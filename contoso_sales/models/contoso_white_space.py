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

        Whether a company bought a column is a fact about the family, the same
        for every viewer: record rules never turn a colleague's order into a
        gap. The amounts are the user's own to read: a cell bought on orders he
        may not read says so (``hidden``) and shows only what he may read.
        Three grouped queries whatever the family's size, plus one for the open
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
        domain = Domain("family_id", "=", family.id) & Domain(column, "!=", False)
        # sudo: what the family bought, per company and column, and the quantity a
        # buying company usually takes are facts every viewer must see alike; only
        # those facts, the column order and the reference product leave these two
        # queries, never an amount. The user's companies bound them, as the
        # multi-company rule would.
        # Each company's amounts are converted into the current company's
        # currency, as the family revenue does.
        rates = Report._company_rates()
        family_domain = domain & Domain("company_id", "in", list(rates))
        FamilyReport = Report.sudo()
        facts = self._bought(FamilyReport, family_domain, column, rates)
        readable = self._bought(Report, family_domain, column, rates)
        currency = self.env.company.currency_id
        totals = defaultdict(float)
        for (_partner, col), (amount, _count) in facts.items():
            totals[col] += amount
        comodel = "product.category" if column == "categ_id" else "product.product"
        columns = sorted(
            self.env[comodel].browse(list(totals)),
            key=lambda col: (-totals[col.id], col.display_name),
        )
        reference = {}
        per_product = FamilyReport._read_group(
            family_domain,
            [column, "product_id"],
            ["amount:sum", "quantity:sum", "partner_id:count_distinct"],
        )
        for col, product, _amount, qty, buyers in sorted(
            per_product, key=lambda row: -row[2]
        ):
            if col.id not in reference and qty > 0 and buyers:
                reference[col.id] = (
                    product.with_env(self.env),
                    max(round(qty / buyers), 1),
                )
        open_deals = self._open_cross_sells(members, column)
        rows, potential, gaps = [], 0.0, 0
        for partner in members:
            cells = []
            for col in columns:
                key = (partner.id, col.id)
                family_amount, family_count = facts.get(key, (0.0, 0))
                amount, count = readable.get(key, (0.0, 0))
                cell = {
                    "column_id": col.id,
                    "amount": amount,
                    "hidden": count < family_count,
                    "gap": False,
                }
                if currency.is_zero(family_amount) and col.id in reference:
                    product, quantity = reference[col.id]
                    discount = partner.contoso_standard_discount
                    price = product.lst_price
                    deal = open_deals.get(key)
                    visible_deal = deal and deal._filtered_access("read")
                    cell.update(
                        gap=True,
                        hidden=False,
                        product_id=product.id,
                        product_name=product.display_name,
                        quantity=quantity,
                        price=price,
                        discount=discount,
                        potential=currency.round(
                            price * quantity * (1 - discount / 100.0)
                        ),
                        deal_open=bool(deal),
                        deal_id=visible_deal.id if visible_deal else False,
                        deal_name=visible_deal.name if visible_deal else False,
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
                    "hidden": any(c["hidden"] for c in cells),
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
    def _bought(self, report, domain, column, rates):
        """{(account id, column id): (amount in the current company's currency,
        number of report rows)}: one grouped query."""
        bought = defaultdict(lambda: (0.0, 0))
        for partner, col, company, amount, count in report._read_group(
            domain, ["partner_id", column, "company_id"], ["amount:sum", "__count"]
        ):
            total, rows = bought[partner.id, col.id]
            bought[partner.id, col.id] = (
                total + amount * rates[company.id],
                rows + count,
            )
        return bought

    @api.model
    def _open_cross_sells(self, members, column):
        """{(account id, column id): open cross-sell deal} for the family's
        accounts, whoever owns the deal: an open deal is not a gap to pitch
        again. The deals come back as the user; callers check his access."""
        tag = self.env.ref(CROSS_SELL_TAG, raise_if_not_found=False)
        if not tag:
            return {}
        # sudo: only whether a deal is open leaves this method; its name and link
        # are shown to users who may read it (get_matrix checks).
        lines = (
            self.env["contoso.deal.line"]
            .sudo()
            .search(
                [
                    ("lead_id.partner_id", "in", members.ids),
                    ("lead_id.tag_ids", "in", tag.ids),
                    ("lead_id.type", "=", "opportunity"),
                    ("lead_id.active", "=", True),
                    ("lead_id.won_status", "=", "pending"),
                    ("lead_id.company_id", "in", [*self.env.companies.ids, False]),
                ]
            )
        )
        found = {}
        for line in lines:
            col = line.product_id.categ_id if column == "categ_id" else line.product_id
            found.setdefault(
                (line.lead_id.partner_id.id, col.id), line.lead_id.with_env(self.env)
            )
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
        if cell["deal_open"]:
            raise UserError(
                self.env._(
                    "'%(partner)s' already has an open cross-sell deal for "
                    "'%(column)s', owned by another salesperson. Ask a sales "
                    "manager before pitching it again.",
                    partner=partner.display_name,
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
