from . import test_foundation, test_tour_pipeline
