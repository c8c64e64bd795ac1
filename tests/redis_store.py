"""The Redis the distributed stores are tested on (rate limits, the job queue).

Under CI a missing Redis fails the test (CI starts one: .ci/run), elsewhere it skips it.
"""

import os

import pytest
import redis

from tests.conftest import IN_CI

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def redis_or_skip() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.RedisError as error:
        message = f"Redis at {REDIS_URL} is not reachable: {error}"
        if IN_CI:
            pytest.fail(message)  # CI has Redis: missing, the distributed store is untested
        pytest.skip(message)
    return connection
