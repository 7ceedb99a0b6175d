from odoo import fields, models

from .table_indexes import drop_old_indexes


class ContosoPurchase(models.Model):
    """A shop (POS) or web purchase imported from Contoso's exports."""

    _name = "contoso.purchase"
    _description = "Shop or Web Purchase"
    _order = "date desc, id desc"
    _rec_name = "source_ref"

    # Neither the channel nor the company has an index of its own: the unique
    # index (company_id, channel, source_ref) serves both, and each index
    # more is written for every row an import inserts (a third of the insert
    # time for these two).
    channel = fields.Selection(
        [("online", "Web"), ("pos", "Shop")],
        string="Channel",
        required=True,
    )
    source_ref = fields.Char(
        string="Purchase ID",
        required=True,
        help="PurchaseId in the export: re-importing it updates this purchase.",
    )
    # Without the empty refs (each purchase has only one of the two): an
    # index entry fewer per purchase, and no pile of NULLs to insert into.
    contact_ref = fields.Char(
        string="Contact ID",
        index="btree_not_null",
        help="ContactId given by the web shop export.",
    )
    loyalty_ref = fields.Char(
        string="Loyalty ID",
        index="btree_not_null",
        help="LoyaltyId given by the shop export.",
    )
    row_hash = fields.Char(
        string="Row Hash",
        readonly=True,
        help="Hash of the file's row last imported: the same row again is skipped "
        "before it is even cleaned.",
    )
    # Indexed with its company (_partner_company_idx): the totals' trigger
    # reads a customer's purchases of one company; with an index on the
    # partner alone PostgreSQL ANDs it with the company's whole range of the
    # unique index, once per customer (an import's statement grew with every
    # purchase already in the company: 47 s for 50,000 shop purchases).
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        ondelete="set null",
        help="Found from the ContactId (web) or the loyalty member (shop); empty "
        "while that customer is not imported or not matched yet.",
    )
    date = fields.Date(string="Date", required=True, index=True)
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        "res.currency",
        string="Currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    amount_total = fields.Monetary(string="Total", required=True)
    subject = fields.Char(string="Subject")
    activity_type = fields.Char(string="Activity Type")
    points_added = fields.Integer(string="Points Added")

    _source_ref_uniq = models.UniqueIndex(
        "(company_id, channel, source_ref)",
        "This purchase is already imported: a PurchaseId appears once per channel "
        "and company.",
    )
    _partner_company_idx = models.Index(
        "(partner_id, company_id) WHERE partner_id IS NOT NULL"
    )
    _amount_positive = models.Constraint(
        "CHECK (amount_total >= 0)", "A purchase amount must be 0 or more."
    )

    def init(self):
        # Databases installed before keep the indexes Odoo made for these
        # fields (it never drops nor narrows an index by itself): the refs'
        # full indexes are dropped and made again without NULLs.
        drop_old_indexes(
            self.env.cr,
            self._table,
            ["channel", "company_id", "partner_id"],
            ["contact_ref", "loyalty_ref"],
        )

    def _relink(self, contact_refs=(), loyalty_refs=()):
        """Set partner_id, in SQL, on the purchases of these refs, whatever batch
        brought them.

        Web purchases follow their ContactId (a shared contact or one of the
        purchase's company); shop purchases follow the partner
        of their loyalty member of the same company. Called after every import
        chunk and every match decision, so a purchase imported before its
        customer is linked then.
        """
        self.env.flush_all()
        cr = self.env.cr
        if contact_refs:
            cr.execute(
                """
                UPDATE contoso_purchase p
                   SET partner_id = rp.id
                  FROM res_partner rp
                 WHERE p.channel = 'online'
                   AND p.contact_ref = ANY(%s)
                   AND rp.contoso_contact_ref = p.contact_ref
                   AND (rp.company_id IS NULL OR rp.company_id = p.company_id)
                   AND p.partner_id IS DISTINCT FROM rp.id
                """,
                [list(contact_refs)],
            )
        if loyalty_refs:
            cr.execute(
                """
                UPDATE contoso_purchase p
                   SET partner_id = m.partner_id
                  FROM contoso_loyalty_member m
                 WHERE p.channel = 'pos'
                   AND p.loyalty_ref = ANY(%s)
                   AND m.loyalty_ref = p.loyalty_ref
                   AND m.company_id = p.company_id
                   AND p.partner_id IS DISTINCT FROM m.partner_id
                """,
                [list(loyalty_refs)],
            )
        self.env["contoso.purchase"].invalidate_model(["partner_id"])
