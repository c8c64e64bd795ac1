"""The demo company that `make run` loads."""

import pytest
import sqlalchemy as sa
from stdnum.cn import ric

from tests.conftest import count_rows
from webapp.accounts.models import User
from webapp.core.org import Branch
from webapp.core.phones import normalize_cn_phone
from webapp.customers.models import Customer
from webapp.demo import seed_demo
from webapp.workers.models import Worker


@pytest.mark.rule("R8", "R20")
def test_demo_company_is_realistic_and_valid(db):
    logins = seed_demo()
    assert {role for _, role, _ in logins} >= {
        "manager",
        "branch_head",
        "service_center",
        "finance",
        "admin_dept",
        "company_admin",
    }
    assert count_rows(Branch) == 2
    assert count_rows(Worker) == 30
    assert count_rows(Customer) == 200
    assert count_rows(User) == len(logins)
    for worker in db.session.scalars(sa.select(Worker)):
        assert ric.is_valid(worker.id_number)
        assert normalize_cn_phone(worker.mobile, kind="mobile") == worker.mobile
        assert worker.address("hukou") and worker.current_address
    for customer in db.session.scalars(sa.select(Customer).limit(20)):
        assert normalize_cn_phone(customer.phone) == customer.phone
        assert customer.temperament and customer.home_area
