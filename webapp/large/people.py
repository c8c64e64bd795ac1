"""Branches, their users, workers and customers, as rows."""

import random
from datetime import date, time, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from webapp import demo
from webapp.core import crypto
from webapp.core.clock import at_local
from webapp.core.masking import mask_id_number
from webapp.core.roles import Role
from webapp.large.writer import Writer
from webapp.workers.idnumbers import parse
from webapp.workers.models import Worker
from webapp.workers.services import id_digest

CITIES = ["宁波", "杭州", "绍兴", "台州", "温州", "嘉兴", "湖州", "金华", "舟山", "丽水"]


def new_branch(writer: Writer, company_id: int, number: int, rng: random.Random) -> int:
    city = CITIES[number % len(CITIES)]
    row = writer.add(
        "branches",
        company_id=company_id,
        code=f"L{number:02d}",
        name=f"{city}第{number}网店",
        address=f"{city}市人民路 {rng.randint(1, 400)} 号",
        phone=f"0574-8{rng.randrange(10**6, 10**7)}",
        timezone=demo.DEMO_ZONE,
    )
    return row["id"]


def branch_users(writer: Writer, company_id: int, branch_id: int) -> dict[str, int]:
    """A manager and a branch head (password: the demo's); returns their ids by role."""
    password = generate_password_hash(demo.DEMO_PASSWORD)
    ids = {}
    for role, prefix in ((Role.MANAGER, "manager"), (Role.BRANCH_HEAD, "head")):
        ids[role.value] = writer.add(
            "users",
            company_id=company_id,
            branch_id=branch_id,
            username=f"{prefix}-b{branch_id}",
            display_name=f"{prefix} {branch_id}",
            password_hash=password,
            role=role.value,
            enabled=True,
        )["id"]
    return ids


def workers(
    writer: Writer, company_id: int, branch_id: int, count: int, today: date, rng: random.Random
) -> list[tuple[int, str, str]]:
    """`count` personnel files, one in 20 dismissed; returns the active ones (id, name, badge)."""
    active = []
    first = writer.connection.scalar(
        sa.select(sa.func.count(Worker.id)).where(Worker.branch_id == branch_id)
    )
    for n in range(first, first + count):
        gender = "F" if rng.random() < 0.85 else "M"
        name = rng.choice(demo.SURNAMES) + rng.choice(
            demo.GIVEN_F if gender == "F" else demo.GIVEN_M
        )
        code, province, city, county, township, village = rng.choice(demo.HOME_PLACES)
        number = demo.id_number(rng, code, gender)
        parsed = parse(number, today)
        dismissed = n % 20 == 19
        place = {"province": province, "city": city, "county": county}
        place |= {"township": township, "village": village}
        row = writer.add(
            "workers",
            company_id=company_id,
            branch_id=branch_id,
            badge_no=f"B{branch_id}-{n + 1:04d}",
            name=name,
            gender=gender,
            birth_date=parsed.birth_date,
            id_number_cipher=crypto.encrypt(number.encode()),
            id_number_digest=id_digest(number),
            id_number_masked=mask_id_number(number),
            **{f"hukou_{k}": v for k, v in place.items()},
            hukou_detail=f"{rng.randint(1, 30)}组{rng.randint(1, 60)}号",
            **{f"home_{k}": v for k, v in place.items()},
            home_detail="",
            current_address=f"宁波市海曙区柳汀街{rng.randint(1, 400)}弄{rng.randint(1, 40)}号",
            mobile=demo.mobile(rng),
            start_date=today - timedelta(days=rng.randrange(30, 2000)),
            status="dismissed" if dismissed else "active",
            status_reason="多次投诉，屡教不改" if dismissed else "",
        )
        if not dismissed:
            active.append((row["id"], name, row["badge_no"]))
    return active


def customers(
    writer: Writer, branch_id: int, count: int, registered_by: date, rng: random.Random
) -> list[int]:
    """`count` customer files, each registered within the year before `registered_by` (the
    history's first day: any of them may be served on it)."""
    ids = []
    for _ in range(count):
        registered = registered_by - timedelta(days=rng.randrange(1, 366))
        district, _street, _community, road = rng.choice(demo.NINGBO_STREETS)
        ids.append(
            writer.add(
                "customers",
                branch_id=branch_id,
                name=rng.choice(demo.SURNAMES) + rng.choice(["先生", "女士", "阿姨", "老师"]),
                phone=demo.mobile(rng),
                phone2="",
                address=f"宁波市{district}{road}{rng.randint(1, 999)}号"
                f"{rng.randint(1, 30)}幢{rng.randint(101, 2802)}室",
                home_area=rng.choice([60, 75, 89, 96, 110, 128, 140, 180, 240]),
                temperament=rng.choice(demo.TEMPERAMENTS),
                service_items="、".join(rng.sample(demo.SERVICE_ITEMS, k=rng.randint(1, 3))),
                service_needs=rng.choice(["每周一次", "每两周一次", "每月一次", "不定期"]),
                preferred_times=rng.choice(["周二上午", "周六下午", "工作日上午", "周末全天"]),
                potential_services=rng.choice(demo.POTENTIAL),
                valuables=rng.choice(demo.VALUABLES),
                access_notes=rng.choice(demo.ACCESS),
                created_at=at_local(registered, time(rng.randrange(8, 18), rng.randrange(60))),
            )["id"]
        )
    return ids
