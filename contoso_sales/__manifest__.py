{
    "name": "Contoso Sales",
    "summary": "Contoso Home Security sales process: deals pipeline, tech checks, "
    "nurturing, customer data hub",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "Contoso Home Security",
    "website": "https://www.contoso.com",
    "license": "LGPL-3",
    "depends": [
        "crm",
        "sale_crm",
        "sale_management",
        "stock",
        "account",
        "contacts",
        "mail",
    ],
    "data": [
        "security/contoso_sales_security.xml",
        "data/crm_team_data.xml",
        "data/crm_stage_data.xml",
    ],
    "demo": [
        "demo/res_company_demo.xml",
        "demo/res_users_demo.xml",
        "demo/product_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/crm_lead_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "contoso_sales/static/tests/tours/**/*",
        ],
    },
    "application": True,
}
