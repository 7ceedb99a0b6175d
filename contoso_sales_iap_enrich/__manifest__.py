{
    "name": "Contoso Sales: Lead Enrichment",
    "summary": "Deal terms on the Enrich button of Odoo's Lead Enrichment",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "Contoso Home Security",
    "website": "https://www.contoso.com",
    "license": "LGPL-3",
    # crm_iap_enrich installs itself with crm, but a database may uninstall it:
    # this bridge follows it instead of making contoso_sales depend on it.
    "depends": ["contoso_sales", "crm_iap_enrich"],
    "data": ["views/crm_lead_views.xml"],
    "auto_install": True,
}
