from collections import defaultdict

from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain


class ResPartner(models.Model):
    """Account families: the family tree, revenue roll-ups, white space."""

    _inherit = "res.partner"

    contoso_family_id = fields.Many2one(
        "res.partner",
        string="Family",
        compute="_compute_contoso_family_id",
        store=True,
        recursive=True,
        index=True,
        help="The ultimate parent of this account: the top of its tree of parent "
        "companies. A company without parent is its own family.",
    )
    contoso_family_member_ids = fields.One2many(
        "res.partner",
        "contoso_family_id",
        string="Family Members",
        help="Every account of the family, the parent included.",
    )
    contoso_family_company_count = fields.Integer(
        string="Companies in Family",
        compute="_compute_contoso_family_company_count",
    )

    # -- Revenue roll-ups ----------------------------------------------------

    # the currency of both the Customer 360 spend and the family roll-ups
    contoso_currency_id = fields.Many2one(
        "res.currency",
        string="Company Currency",
        compute="_compute_contoso_currency_id",
    )
    contoso_revenue = fields.Monetary(
        string="Own Revenue",
        groups="sales_team.group_sale_salesman",
        currency_field="contoso_currency_id",
        compute="_compute_contoso_revenue",
        help="Confirmed sales orders, posted invoices that do not come from an "
        "order, and shop or web purchases of this account and its contacts, in "
        "the company currency, over the last 12 months unless a period is chosen.",
    )
    contoso_family_revenue = fields.Monetary(
        string="Family Revenue",
        groups="sales_team.group_sale_salesman",
        currency_field="contoso_currency_id",
        compute="_compute_contoso_revenue",
        help="The revenue of every account of the family, over the same period.",
    )

    @api.depends("parent_id", "parent_id.contoso_family_id")
    def _compute_contoso_family_id(self):
        for partner in self:
            # Walk up rather than trusting the parent's value: the parents of a
            # batch may be recomputed in the same pass. `seen` stops on a cycle,
            # which _check_parent_id refuses right after.
            root, seen = partner, set()
            while root.parent_id and root.id not in seen:
                seen.add(root.id)
                root = root.parent_id
            partner.contoso_family_id = root

    @api.depends("contoso_family_id")
    def _compute_contoso_family_company_count(self):
        families = self.contoso_family_id.filtered("id")
        counts = dict(
            self.env["res.partner"]._read_group(
                [("contoso_family_id", "in", families.ids), ("is_company", "=", True)],
                ["contoso_family_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.contoso_family_company_count = counts.get(
                partner.contoso_family_id, 0
            )

    @api.depends_context("company")
    def _compute_contoso_currency_id(self):
        self.contoso_currency_id = self.env.company.currency_id

    @api.model
    def _contoso_revenue_period(self):
        """The period of the roll-ups: `contoso_date_from`/`contoso_date_to` in
        the context, else the last 12 months."""
        date_to = self.env.context.get("contoso_date_to")
        date_from = self.env.context.get("contoso_date_from")
        if not date_from and not date_to:
            today = fields.Date.context_today(self)
            return today - relativedelta(years=1) + relativedelta(days=1), today
        return (
            date_from and fields.Date.to_date(date_from),
            date_to and fields.Date.to_date(date_to),
        )

    @api.model
    def _contoso_revenue_domain(self):
        date_from, date_to = self._contoso_revenue_period()
        domain = Domain.TRUE
        if date_from:
            domain &= Domain("date", ">=", date_from)
        if date_to:
            domain &= Domain("date", "<=", date_to)
        return domain

    @api.depends_context(
        "company", "allowed_company_ids", "uid", "contoso_date_from", "contoso_date_to"
    )
    def _compute_contoso_revenue(self):
        # Two grouped queries whatever the number of accounts: one by account,
        # one by family. The report's record rules apply, so a salesperson
        # only adds up what they may see.
        # Each company's amounts are converted into the current company's
        # currency before they are added up.
        Report = self.env["contoso.family.report"]
        rates = Report._company_rates()
        period = self._contoso_revenue_domain()
        partners = self._origin.filtered("id")

        def revenue_by(groupby, domain):
            totals = defaultdict(float)
            for key, company, amount in Report._read_group(
                period & domain & Domain("company_id", "in", list(rates)),
                [groupby, "company_id"],
                ["amount:sum"],
            ):
                totals[key] += amount * rates[company.id]
            return totals

        own = revenue_by("partner_id", Domain("partner_id", "in", partners.ids))
        families = partners.contoso_family_id
        family = revenue_by("family_id", Domain("family_id", "in", families.ids))
        for partner in self:
            origin = partner._origin
            partner.contoso_revenue = own.get(origin, 0.0)
            partner.contoso_family_revenue = family.get(origin.contoso_family_id, 0.0)

    # -- Cycles --------------------------------------------------------------

    @api.constrains("parent_id")
    def _check_parent_id(self):
        try:
            return super()._check_parent_id()
        except ValidationError as error:
            # Odoo's own message names nobody: say which account, which parent,
            # and the path that would loop.
            partner = next(p for p in self if p._has_cycle())
            parent = partner.parent_id
            if parent == partner:
                raise ValidationError(
                    self.env._(
                        "'%(partner)s' cannot be its own parent company. Choose "
                        "another parent or none.",
                        partner=partner.name,
                    )
                ) from error
            chain, node = [parent], parent.parent_id
            while node and node != partner and node not in chain:
                chain.append(node)
                node = node.parent_id
            raise ValidationError(
                self.env._(
                    "'%(partner)s' cannot have '%(parent)s' as parent company: "
                    "'%(parent)s' already belongs to '%(partner)s' (%(path)s), so "
                    "the family tree would loop. Choose a parent that is not one "
                    "of its subsidiaries.",
                    partner=partner.name,
                    parent=parent.name,
                    path=" › ".join(p.name for p in [partner, *reversed(chain)]),
                )
            ) from error

    # -- White space ---------------------------------------------------------

    def action_contoso_white_space(self):
        self.ensure_one()
        family = self.contoso_family_id or self
        return {
            "type": "ir.actions.client",
            "tag": "contoso_white_space",
            "name": self.env._("White Space: %(family)s", family=family.display_name),
            "params": {"family_id": family.id},
            "context": {"active_id": family.id},
        }

    def action_contoso_family_report(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "contoso_sales.contoso_family_report_action"
        )
        action["domain"] = [("family_id", "=", self.contoso_family_id.id)]
        action["context"] = {"group_by": ["partner_id"]}
        return action
