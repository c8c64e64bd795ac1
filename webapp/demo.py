"""A realistic Chinese demo company: two branches, ~30 workers, ~200 customers."""

import random
from datetime import date, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from stdnum.cn import ric

from webapp.accounts.services import create_user
from webapp.catalogue.services import catalogue, save_item_rules, save_material, save_service_item
from webapp.core import clock
from webapp.core.org import Branch, Company
from webapp.core.roles import Role
from webapp.customers.models import Customer
from webapp.customers.services import create_customer
from webapp.dispatch.services import Slot, assign, create_instruction
from webapp.extensions import db
from webapp.manual.services import seed_manual
from webapp.workers.idnumbers import parse
from webapp.workers.models import Worker
from webapp.workers.services import WorkerData, add_talk, create_worker

DEMO_ZONE = "Asia/Shanghai"
DEMO_PASSWORD = "branchdesk-demo"  # noqa: S105 - printed for the demo logins

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN_F = [
    "秀英",
    "桂英",
    "玉兰",
    "丽",
    "芳",
    "娟",
    "敏",
    "静",
    "霞",
    "红梅",
    "春燕",
    "美玲",
    "小红",
]
GIVEN_M = ["建国", "志强", "伟", "军", "勇", "海波", "国庆", "长春", "永明", "德华"]
# Region codes of the workers' home places with the provinces/cities they lie in.
HOME_PLACES = [
    ("360121", "江西省", "南昌市", "南昌县", "莲塘镇", "向阳村"),
    ("362421", "江西省", "吉安市", "吉安县", "敦厚镇", "城东村"),
    ("430121", "湖南省", "长沙市", "长沙县", "星沙街道", "松雅社区"),
    ("522101", "贵州省", "遵义市", "红花岗区", "老城街道", "杨柳街社区"),
    ("330226", "浙江省", "宁波市", "宁海县", "跃龙街道", "金水社区"),
    ("340102", "安徽省", "合肥市", "瑶海区", "红光街道", "红光社区"),
]
NINGBO_STREETS = [
    ("海曙区", "南门街道", "柳锦社区", "柳汀街"),
    ("江北区", "白沙街道", "白沙社区", "人民路"),
    ("鄞州区", "钟公庙街道", "前殷社区", "天童南路"),
    ("鄞州区", "中河街道", "锦寓社区", "中山东路"),
    ("北仑区", "新碶街道", "九峰社区", "明州路"),
]
SERVICE_ITEMS = [
    "日常保洁",
    "深度保洁",
    "擦玻璃",
    "家电清洗",
    "厨房油烟机清洗",
    "钟点工",
    "地板打蜡",
]
TEMPERAMENTS = [
    "性格温和，好沟通",
    "要求细致，注重细节，喜欢按固定顺序打扫",
    "比较急躁，希望准时到达、按时完成",
    "老人独居，喜欢聊天，注意耐心",
    "爱干净，进门需换鞋套",
]
VALUABLES = [
    "",
    "",
    "客厅红木家具、青花瓷瓶，勿用湿布",
    "书房有古董字画，不要触碰",
    "钢琴，只用干布擦拭",
]
ACCESS = ["", "家有一只小狗，进门先打招呼", "钥匙放在物业处，需报姓名", "小区门禁需提前电话联系"]
POTENTIAL = ["", "新房装修后可能需要开荒保洁", "年底有大扫除意向", "有老人护理需求"]
MOBILE_PREFIXES = [
    "138",
    "139",
    "137",
    "136",
    "135",
    "150",
    "151",
    "158",
    "159",
    "186",
    "187",
    "188",
]


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def id_number(rng: random.Random, code: str, gender: str) -> str:
    while True:
        born = date(rng.randint(1968, 1998), 1, 1) + timedelta(days=rng.randrange(365))
        seq = rng.randrange(100) * 10 + (
            rng.choice([1, 3, 5, 7, 9]) if gender == "M" else rng.choice([0, 2, 4, 6, 8])
        )
        body = f"{code}{born:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number):
            return number


EVERY_ROOM = ["living", "bedroom", "kitchen", "bathroom", "balcony", "study", "other"]
# (name, unit, price in fen, assessment rules: room kinds, minutes per m², minimum minutes)
CATALOGUE = [
    ("日常保洁", "hour", 4500, EVERY_ROOM, Decimal("1.5"), 120),
    ("深度保洁", "hour", 6000, EVERY_ROOM, Decimal("3.5"), 180),
    ("擦玻璃", "job", 15000, ["living", "bedroom", "balcony", "study"], Decimal("1.2"), 60),
    ("家电清洗", "job", 12000, ["kitchen", "living"], Decimal("0"), 90),
    ("油烟机清洗", "job", 15000, ["kitchen"], Decimal("0"), 90),
    ("钟点工", "hour", 4000, EVERY_ROOM, Decimal("1.2"), 120),
]
# name, unit, a tool, unit cost in fen
MATERIALS = [
    ("多功能清洁剂", "瓶", False, 1800),
    ("玻璃清洁剂", "瓶", False, 1500),
    ("抹布", "块", False, 350),
    ("橡胶手套", "副", False, 600),
    ("伸缩擦窗杆", "把", True, 4500),
    ("吸尘器", "台", True, 39900),
]


def seed_catalogue(company_id: int) -> None:
    for name, unit, price, kinds, per_m2, minimum in CATALOGUE:
        save_item_rules(save_service_item(company_id, name, unit, price), kinds, per_m2, minimum)
    for name, unit, is_tool, unit_cost_fen in MATERIALS:
        save_material(company_id, name, unit, is_tool, unit_cost_fen)


def seed_day(branch, manager, service_center, rng: random.Random, day: date) -> None:
    """A few instructions for the day: most assigned, some waiting on the board."""
    items, _materials = catalogue(branch.company_id)
    customers = db.session.scalars(
        sa.select(Customer).where(Customer.branch_id == branch.id).limit(12)
    ).all()
    workers = db.session.scalars(
        sa.select(Worker).where(Worker.branch_id == branch.id).order_by(Worker.badge_no)
    ).all()
    starts = [time(8, 30), time(9, 0), time(13, 30), time(14, 0), time(9, 30), time(14, 30)]
    for index, customer in enumerate(customers[:8]):
        start = starts[index % len(starts)]
        instruction = create_instruction(
            branch,
            customer,
            rng.sample(items, k=rng.randint(1, 2)),
            Slot(day, start, time(start.hour + 3, start.minute), Decimal(3)),
            rng.choice(["", "客户要求准时到达", "请带吸尘器"]),
            service_center,
        )
        if index < 6:
            assign(instruction, workers[index], manager)


def seed_demo(seed: int = 2026, workers_per_branch: int = 15, customers_per_branch: int = 100):
    """Create the demo company; returns the logins as (username, role, branch)."""
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
    company = Company(name="美乐门家庭服务有限公司")
    db.session.add(company)
    branches = [
        Branch(
            company=company,
            code="HS",
            name="海曙网店",
            address="宁波市海曙区柳汀街 88 号",
            phone="0574-87001234",
        ),
        Branch(
            company=company,
            code="YZ",
            name="鄞州网店",
            address="宁波市鄞州区天童南路 168 号",
            phone="0574-88005678",
        ),
    ]
    db.session.add_all(branches)
    db.session.flush()
    logins = []

    def user(username, name, role, branch):
        logins.append((username, role.value, branch.name if branch else "—"))
        return create_user(
            company_id=company.id,
            branch_id=branch.id if branch else None,
            username=username,
            display_name=name,
            role=role,
            password=DEMO_PASSWORD,
        )

    user("admin", "系统管理员", Role.COMPANY_ADMIN, None)
    user("caiwu", "财务部 钱敏", Role.FINANCE, None)
    user("xingzheng", "行政部 孙静", Role.ADMIN_DEPT, None)
    service_center = user("kefu", "客服中心 周丽", Role.SERVICE_CENTER, None)
    managers = {}
    for i, branch in enumerate(branches, start=1):
        managers[branch.id] = user(
            f"manager{i}", f"{branch.name}管理员 {rng.choice(SURNAMES)}芳", Role.MANAGER, branch
        )
        user(f"head{i}", f"{branch.name}经理 {rng.choice(SURNAMES)}建华", Role.BRANCH_HEAD, branch)

    seed_catalogue(company.id)
    seed_manual(company.id)
    badge = 1000
    for branch in branches:
        for _ in range(workers_per_branch):
            badge += 1
            gender = "F" if rng.random() < 0.85 else "M"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN_F if gender == "F" else GIVEN_M)
            code, province, city, county, township, village = rng.choice(HOME_PLACES)
            district, street, community, road = rng.choice(NINGBO_STREETS)
            place = {
                "province": province,
                "city": city,
                "county": county,
                "township": township,
                "village": village,
                "detail": f"{rng.randint(1, 30)}组{rng.randint(1, 60)}号",
            }
            data = WorkerData(
                name=name,
                gender=gender,
                badge_no=f"NB{badge}",
                start_date=date(2026, 11, 1) - timedelta(days=rng.randrange(30, 2000)),
                hukou=place,
                home=place,
                current_address=(
                    f"宁波市{district}{road}{rng.randint(1, 400)}弄{rng.randint(1, 40)}号"
                ),
                mobile=mobile(rng),
                landline="" if rng.random() < 0.7 else f"0574{rng.randint(8000_0000, 8899_9999)}",
                referee_kind=rng.choice(["", "introducer", "guarantor"]),
            )
            if data.referee_kind:
                data.referee_name = rng.choice(SURNAMES) + rng.choice(GIVEN_F + GIVEN_M)
                data.referee_relation = rng.choice(["同乡", "亲戚", "前同事", "丈夫"])
                data.referee_phone = mobile(rng)
                data.referee_address = f"{province}{city}{county}"
            worker = create_worker(branch, data, parse(id_number(rng, code, gender)))
            if rng.random() < 0.2:
                add_talk(
                    worker,
                    talk_date=date(2026, 11, 1) + timedelta(days=rng.randrange(20)),
                    topic=rng.choice(["state", "family", "work"]),
                    notes="孩子在老家上学，想多接一些单，收入压力大。",
                    help_given="安排了周末的钟点工订单。",
                    escalate_to="",
                    user=managers[branch.id],
                )
        for _ in range(customers_per_branch):
            district, street, community, road = rng.choice(NINGBO_STREETS)
            items = rng.sample(SERVICE_ITEMS, k=rng.randint(1, 3))
            create_customer(
                branch.id,
                {
                    "name": rng.choice(SURNAMES) + rng.choice(["先生", "女士", "阿姨", "老师"]),
                    "phone": mobile(rng),
                    "phone2": "",
                    "address": f"宁波市{district}{road}{rng.randint(1, 999)}号"
                    f"{rng.randint(1, 30)}幢{rng.randint(101, 2802)}室",
                    "home_area": rng.choice([60, 75, 89, 96, 110, 128, 140, 180, 240]),
                    "temperament": rng.choice(TEMPERAMENTS),
                    "service_items": "、".join(items),
                    "service_needs": rng.choice(["每周一次", "每两周一次", "每月一次", "不定期"]),
                    "preferred_times": rng.choice(
                        ["周二上午", "周六下午", "工作日上午", "周末全天"]
                    ),
                    "potential_services": rng.choice(POTENTIAL),
                    "valuables": rng.choice(VALUABLES),
                    "access_notes": rng.choice(ACCESS),
                },
            )
    db.session.flush()
    today = clock.local_today(DEMO_ZONE)
    for branch in branches:
        seed_day(branch, managers[branch.id], service_center, rng, today)
    db.session.flush()
    return logins
