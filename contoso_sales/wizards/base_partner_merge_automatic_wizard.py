from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_values(self, src_partners, dst_partner):
        # Odoo copies the sources' values onto the destination while the sources
        # still exist: a Contoso Contact ID would then be on two partners and
        # break its unique index. The merged contact keeps one ID: the
        # destination's, else the first source's that has one. The others are
        # written in its chatter, so a later import of them can be traced.
        with_ref = (dst_partner | src_partners).filtered("contoso_contact_ref")
        if with_ref:
            kept = dst_partner.contoso_contact_ref or with_ref[0].contoso_contact_ref
            dropped = [
                partner.contoso_contact_ref
                for partner in src_partners.filtered("contoso_contact_ref")
                if partner.contoso_contact_ref != kept
            ]
            # sudo: the merge is already allowed; the sources are deleted next.
            src_partners.sudo().contoso_contact_ref = False
            # in the database before the destination takes the ID
            src_partners.flush_recordset(["contoso_contact_ref"])
        result = super()._update_values(src_partners, dst_partner)
        if with_ref:
            dst_partner.sudo().contoso_contact_ref = kept
            if dropped:
                dst_partner.message_post(
                    body=self.env._(
                        "Merged contacts: this contact keeps Contoso Contact ID "
                        "%(kept)s; the merged ones had %(dropped)s.",
                        kept=kept,
                        dropped=", ".join(dropped),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return result
