"""Since 19.0.1.3.0 a loyalty card's match reasons are stored as codes with
their values (match_reason_data), shown in each reader's language (Why,
match_reason, computed). The reasons stored before, English words in the old
match_reason column, are kept as they were written: one reason of code "text"
each (datahub.matching.REASON_TEMPLATES)."""


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
        UPDATE contoso_loyalty_member
           SET match_reason_data = json_build_array(
                   json_build_array('text', json_build_object('text', match_reason))
               )::text
         WHERE match_reason IS NOT NULL AND match_reason != ''
           AND match_reason_data IS NULL
        """
    )
