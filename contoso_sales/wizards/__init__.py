from . import contoso_tech_check_override
