from . import (
    test_access,
    test_bad_input,
    test_bilan,
    test_flow,
    test_i18n,
    test_import,
    test_indicators,
    test_insertion_survey,
    test_query_count,
    test_reports,
    test_send,
    test_views,
)
