from . import (
    contoso_deal_line,
    contoso_tech_check,
    crm_lead,
    crm_lead_products,
    crm_lead_terms,
    crm_stage,
    crm_team,
    res_company,
    res_config_settings,
)
