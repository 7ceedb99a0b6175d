"""Since 19.0.1.4.0 a loyalty card keeps the contact its match reasons are
about (match_reason_partner_id, "Reasons About"): Why says first when a person
linked or proposed another contact. The import always wrote the contact it
found as the card's Proposed Contact, so that is what the reasons stored
before are about. A person who had changed the Proposed Contact before this
version cannot be told apart: Why reads for that card as it did before."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE contoso_loyalty_member
           SET match_reason_partner_id = candidate_partner_id
         WHERE match_reason_partner_id IS NULL
           AND candidate_partner_id IS NOT NULL
           AND match_reason_data IS NOT NULL
        """
    )
