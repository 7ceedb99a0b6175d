"""Since 19.0.1.3.0 a loyalty card's match reasons are stored as codes with
their values (match_reason_data), shown in each reader's language (Why,
match_reason, computed). The reasons stored before, English words in the old
match_reason column, are read back into codes (datahub.matching.parse); a
piece of words no template reads is kept as it was written (code "text")."""

from odoo.addons.contoso_sales.datahub.matching import encode, parse


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'contoso_loyalty_member' AND column_name = 'match_reason'
        """
    )
    if not cr.fetchone():
        return
    cr.execute(
        """
        SELECT DISTINCT match_reason FROM contoso_loyalty_member
         WHERE match_reason IS NOT NULL AND match_reason != ''
           AND match_reason_data IS NULL
        """
    )
    words = [row[0] for row in cr.fetchall()]
    if words:
        cr.execute(
            """
            UPDATE contoso_loyalty_member m SET match_reason_data = u.data
              FROM unnest(%s::varchar[], %s::varchar[]) AS u(words, data)
             WHERE m.match_reason = u.words AND m.match_reason_data IS NULL
            """,
            [words, [encode(parse(text)) for text in words]],
        )
