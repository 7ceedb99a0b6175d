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
        currency_field="contoso_currency_id",
        compute="_compute_contoso_revenue",
        help="Confirmed sales orders, posted invoices that do not come from an "
        "order, and shop or web purchases of this account and its contacts, in "
        "the company currency, over the last 12 months unless a period is chosen.",
    )
    contoso_family_revenue = fields.Monetary(
        string="Family Revenue",
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

    @api.depends_context("company", "uid", "contoso_date_from", "contoso_date_to")
    def _compute_contoso_revenue(self):
        # Two grouped queries whatever the number of accounts: one by account,
        # one by family. The report's record rules apply, so a salesperson
        # only adds up what they may see.
        Report = self.env["contoso.family.report"]
        period = self._contoso_revenue_domain()
        partners = self._origin.filtered("id")
        own = dict(
            Report._read_group(
                period & Domain("partner_id", "in", partners.ids),
                ["partner_id"],
                ["amount:sum"],
            )
        )
        families = partners.contoso_family_id
        family = dict(
            Report._read_group(
                period & Domain("family_id", "in", families.ids),
                ["family_id"],
                ["amount:sum"],
            )
        )
        for partner in self:
            origin = partner._origin
            partner.contoso_revenue = own.get(origin, 0.0)
            partner.contoso_family_revenue = family.get(origin.contoso_family_id, 0.0)

    # -- Cycles --------------------------------------------------------------

    @api.constrains("parent_id")
    def _check_parent_id(self):
        # Odoo's own message names nobody: say which account, which parent, and
        # the path that would loop.
        for partner in self:
            if not partner._has_cycle():
                continue
            parent = partner.parent_id
            if parent == partner:
                raise ValidationError(
                    self.env._(
                        "'%(partner)s' cannot be its own parent company. Choose "
                        "another parent or none.",
                        partner=partner.name,
                    )
                )
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
            )

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
