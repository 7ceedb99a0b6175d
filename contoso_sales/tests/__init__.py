from . import (
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
from . import test_family_hierarchy, test_family_pricing, test_family_white_space
from . import test_tour_family
