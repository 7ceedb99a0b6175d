from . import (
    contoso_deal_line,
    contoso_nurture_cadence,
    contoso_nurture_enrolment,
    contoso_nurture_enrolment_line,
    contoso_nurture_step,
    contoso_tech_check,
    crm_activity_report,
    crm_lead,
    crm_stage,
    crm_team,
    mail_activity,
    res_company,
    res_config_settings,
)
from . import contoso_family_report, contoso_white_space, res_partner_family

