from . import test_access, test_bad_input, test_flow, test_query_count, test_views
from . import test_import
from . import test_send
