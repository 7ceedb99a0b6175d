from odoo import api, models
from odoo.exceptions import AccessError

INVOICING_GROUP = "account.group_account_invoice"


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.model
    def _contoso_check_can_invoice(self, documents):
        """Customer invoices, credit notes and receipts are made by accountants.
        Odoo lets any salesperson invoice an order (its wizard creates the
        invoice as superuser); Contoso refuses that on every path unless the user
        has Odoo's Invoicing rights. `documents` (orders or invoices) are named
        in the refusal."""
        if self._contoso_may_invoice():
            return
        raise AccessError(
            self.env._(
                "%(user)s cannot create, post or edit customer invoices "
                "(%(documents)s): only users with the Accounting rights 'Invoicing' "
                "can. Ask an accountant to invoice it.",
                user=self.env.user.name,
                documents=", ".join(documents.mapped("display_name"))
                or self.env._("a new invoice"),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        default_type = self.env.context.get("default_move_type", "entry")
        if any(
            vals.get("move_type", default_type) in self.get_sale_types(True)
            for vals in vals_list
        ):
            self._contoso_check_can_invoice(self.browse())
        moves = super().create(vals_list)
        # and on the moves as created, whatever decided their type
        moves._contoso_check_can_invoice_moves()
        return moves

    def write(self, vals):
        # Before: an invoice may not be edited. After: a vendor bill or entry
        # may not become one (move_type written, or recomputed).
        self._contoso_check_can_invoice_moves()
        result = super().write(vals)
        self._contoso_check_can_invoice_moves()
        return result

    def action_post(self):
        self._contoso_check_can_invoice_moves()
        return super().action_post()

    @api.model
    def _contoso_may_invoice(self):
        return self.env.su or self.env.user.has_group(INVOICING_GROUP)

    def _contoso_check_can_invoice_moves(self):
        if self._contoso_may_invoice():
            return
        invoices = self.filtered(lambda move: move.is_sale_document(True))
        if invoices:
            self._contoso_check_can_invoice(invoices)
