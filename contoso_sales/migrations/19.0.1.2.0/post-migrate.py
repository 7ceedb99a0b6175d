"""Since 19.0.1.2.0 an imported purchase in another currency is converted as
Odoo converts it (models/contoso_purchase_totals.py): with the rates of its
company's root company, its company currency's own rate, and a currency's
first rate before it. The amounts stored before are converted again (the
trigger converts each row, the totals follow in the same statement)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE contoso_purchase p SET amount_company = NULL
          FROM res_company c
         WHERE c.id = p.company_id AND p.currency_id != c.currency_id
        """
    )
