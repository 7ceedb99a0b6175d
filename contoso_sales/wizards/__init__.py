from . import (
    base_partner_merge_automatic_wizard,
    contoso_import_wizard,
    contoso_sales_config,
    contoso_tech_check_override,
    crm_lead_to_opportunity_terms,
    mail_compose_message,
    sale_advance_payment_inv,
)
