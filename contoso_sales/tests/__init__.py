from . import (
    test_datahub_customer,
    test_datahub_import,
    test_datahub_matching_db,
    test_deal_lines,
    test_deal_terms,
    test_foundation,
    test_http_gate,
    test_nurture,
    test_tech_check,
    test_tour_nurture,
    test_tour_pipeline,
    test_tour_tech_check,
)
