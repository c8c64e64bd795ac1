"""Worker search as a service, without HTTP: what it finds and what it never shows."""

import pytest

from webapp.workers.models import WorkerStatus
from webapp.workers.services import change_status, search

pytestmark = pytest.mark.rule("R20")


def test_finds_by_part_of_the_name_the_badge_or_four_digits_of_the_mobile(world):
    manager = world.user("manager")
    li = world.worker(name="李秀英", badge_no="W90001", mobile="13812345678")
    other = world.worker(name="王芳", badge_no="W90002", mobile="13987654321")

    assert search("秀英", user=manager) == [li]
    assert search("W90002", user=manager) == [other]
    assert search("W9000", user=manager) == []  # a badge number is matched whole
    assert search("5678", user=manager) == [li]
    assert search("138 1234", user=manager) == [li]
    assert search("678", user=manager) == []  # fewer than four digits: not a phone search
    assert search("%", user=manager) == []  # wildcards are typed text
    assert search("", user=manager) == [li, other]


def test_a_status_narrows_the_search_and_an_unknown_one_is_ignored(world):
    manager = world.user("manager")
    active = world.worker(badge_no="W91001")
    suspended = world.worker(badge_no="W91002")
    change_status(suspended, WorkerStatus.SUSPENDED, "test", manager.role)

    assert search("", "suspended", user=manager) == [suspended]
    assert search("", "active", user=manager) == [active]
    assert search("", "nonsense", user=manager) == [active, suspended]


def test_another_branchs_workers_are_never_found(world):
    manager_a = world.user("manager", branch="A")
    manager_b = world.user("manager", branch="B")
    worker_b = world.worker(branch="B", name="赵敏")

    assert search("赵敏", user=manager_a) == []
    assert search("赵敏", user=manager_b) == [worker_b]
