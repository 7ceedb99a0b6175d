from . import (
    test_deal_lines,
    test_deal_terms,
    test_foundation,
    test_http_gate,
    test_http_invoice_block,
    test_nurture,
    test_order_to_cash,
    test_roles_access,
    test_tech_check,
    test_tour_nurture,
    test_tour_pipeline,
    test_tour_tech_check,
)
