from . import (
    contoso_deal_line,
    contoso_tech_check,
    crm_activity_report,
    crm_lead,
    crm_stage,
    crm_team,
    res_company,
    res_config_settings,
)
