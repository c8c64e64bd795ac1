"""The service order (服务单) and its states, shared by dispatch, visits, billing and quality."""
