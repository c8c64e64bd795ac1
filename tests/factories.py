"""Factories: callables that build valid records with overridable fields."""

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from stdnum.cn import ric

from webapp.accounts.models import User
from webapp.accounts.services import create_user
from webapp.catalogue.services import save_service_item
from webapp.core import clock
from webapp.core.org import Branch, Company
from webapp.core.roles import Role
from webapp.customers.services import create_customer
from webapp.dispatch.services import Slot, assign, create_instruction, hand_over
from webapp.extensions import db
from webapp.workers.idnumbers import parse
from webapp.workers.services import WorkerData, create_worker

PASSWORD = "correct horse battery"
_counter = itertools.count(1)
_rng = random.Random(7)
_id_counter = itertools.count()


def valid_id_number(gender: str = "F", born: date = date(1985, 3, 15), region="330203") -> str:
    """A resident ID number that passes every check, for the given gender.

    A counter, not chance, keeps the numbers unique within the test session.
    """
    while True:
        n = next(_id_counter)
        born_on = born + timedelta(days=n // 50)
        seq = (n % 50) * 20 + (1 if gender == "M" else 0) + 2 * _rng.randrange(5)
        body = f"{region}{born_on:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number):
            return number


def with_check_digit(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def with_wrong_checksum(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


def mobile() -> str:
    return f"139{next(_counter):08d}"


def address(**over) -> dict[str, str]:
    values = {
        "province": "浙江省",
        "city": "宁波市",
        "county": "海曙区",
        "township": "南门街道",
        "village": "柳锦社区",
        "detail": "柳汀街 12 号",
    }
    values.update(over)
    return values


def worker_form(**over) -> dict[str, str]:
    """The POST body of a complete, valid personnel-file form."""
    n = next(_counter)
    data = {
        "name": "王秀英",
        "gender": "F",
        "id_number": valid_id_number("F"),
        "badge_no": f"T{n:05d}",
        "start_date": "2025-03-01",
        "current_address": "宁波市海曙区柳汀街 88 弄 3 号",
        "mobile": mobile(),
        "landline": "",
        "referee_kind": "",
        "referee_name": "",
        "referee_relation": "",
        "referee_phone": "",
        "referee_address": "",
    }
    for kind in ("hukou", "home"):
        for part, value in address().items():
            data[f"{kind}-{part}"] = value
    data.update(over)
    return data


@dataclass
class World:
    company: Company
    branches: dict[str, Branch]
    users: list[User] = field(default_factory=list)

    @classmethod
    def build(cls) -> "World":
        company = Company(name="测试家政公司")
        a = Branch(company=company, code="A", name="甲网店")
        b = Branch(company=company, code="B", name="乙网店")
        db.session.add_all([company, a, b])
        db.session.flush()
        return cls(company=company, branches={"A": a, "B": b})

    def user(self, role: str, branch: str | None = "A", **over) -> User:
        role_enum = Role(role)
        branch_obj = self.branches[branch] if branch else None
        n = next(_counter)
        user = create_user(
            company_id=self.company.id,
            branch_id=branch_obj.id if branch_obj else None,
            username=over.pop("username", f"{role}{n}"),
            display_name=over.pop("display_name", f"{role} {n}"),
            role=role_enum,
            password=PASSWORD,
        )
        db.session.flush()
        self.users.append(user)
        return user

    def worker(self, branch: str = "A", gender: str = "F", id_number: str | None = None, **over):
        n = next(_counter)
        values = dict(
            name=f"测试工{n}",
            gender=gender,
            badge_no=f"W{n:05d}",
            start_date=date(2025, 1, 1),
            hukou=address(),
            home=address(),
            current_address="宁波市海曙区柳汀街 1 号",
            mobile=mobile(),
        )
        values.update(over)
        worker = create_worker(
            self.branches[branch],
            WorkerData(**values),
            parse(id_number or valid_id_number(gender)),
        )
        db.session.flush()
        return worker

    def customer(self, branch: str = "A", **over):
        values = {
            "name": f"客户{next(_counter)}",
            "phone": mobile(),
            "phone2": "",
            "address": "宁波市鄞州区天童南路 168 号 2 幢 301 室",
            "home_area": 96,
            "temperament": "",
            "service_items": "日常保洁",
            "service_needs": "",
            "preferred_times": "",
            "potential_services": "",
            "valuables": "",
            "access_notes": "",
        }
        values.update(over)
        customer = create_customer(self.branches[branch].id, values)
        db.session.flush()
        return customer


def handed_over_order(world: "World", manager: User, start: time = time(9), hours: int = 3):
    """Today's order of a new customer of branch A: one hour-priced item, assigned to a new
    worker and handed over by `manager`, ready to check out."""
    center = world.user("service_center", branch=None)
    item = save_service_item(world.company.id, "日常保洁", "hour", 4500)
    end = time(start.hour + hours, start.minute)
    slot = Slot(clock.local_today(), start, end, Decimal(hours))
    instruction = create_instruction(
        world.branches["A"], world.customer(), [item], slot, "", center
    )
    order = assign(instruction, world.worker(), manager)
    hand_over(order, "", manager)
    return order
