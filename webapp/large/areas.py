"""A little of the newer areas: callbacks, complaints, spot checks, training, records, talks."""

import random
from datetime import date, time, timedelta

from webapp.core.clock import at_local
from webapp.large.history import BranchWorld
from webapp.large.writer import Writer


def after_visit(writer: Writer, world: BranchWorld, order: dict, rng: random.Random) -> None:
    """Now and then a callback, a spot check or a complaint about a visit done."""
    day, oid = order["service_date"], order["id"]
    common = {"branch_id": world.branch_id, "order_id": oid, "worker_id": order["worker_id"]}
    called = at_local(day + timedelta(days=2), time(10, rng.randrange(60)))
    draw = rng.random()
    if draw < 0.12:
        kind = "onsite" if draw < 0.012 else "phone"
        writer.add(
            "callbacks",
            **common,
            customer_id=order["customer_id"],
            kind=kind,
            called_at=called,
            week_start=day - timedelta(days=day.weekday()),
            punctuality=rng.randint(3, 5),
            attitude=rng.randint(4, 5),
            quality=rng.randint(3, 5),
            satisfaction=rng.choice(["very", "satisfied", "satisfied", "neutral"]),
            customer_said=rng.choice(["", "阿姨很仔细", "希望下次准时"]),
            follow_up=False,
            claimed_fen=0,
            entry_key=f"{oid}:{kind}",
            corrects_id=None,
            recorded_by_id=world.manager[0],
            recorded_by=world.manager[1],
            created_at=called,
            updated_at=None,
            client_uuid=None,
        )
    elif draw < 0.15:
        answers = [rng.randint(3, 5) for _ in range(3)]
        writer.add(
            "spot_checks",
            **common,
            called_at=called,
            answers=[{"question": f"问题{i + 1}", "answer": a} for i, a in enumerate(answers)],
            score=sum(answers) * 20 // len(answers),
            remarks="",
            recorded_by_id=world.manager[0],
            recorded_by=world.manager[1],
            created_at=called,
        )
    elif draw < 0.165:
        writer.add(
            "complaints",
            **common,
            customer_id=order["customer_id"],
            category=rng.choice(["lateness", "quality", "attitude", "damage"]),
            channel="phone",
            occurred_at=at_local(day, time(12, 0)),
            text="客户来电反映服务问题",
            claimed_fen=0,
            outcome="rejected",
            reasons="经核实，服务按约定完成",
            awarded_fen=None,
            compensation="none",
            decided_at=called,
            decided_by=world.manager[1],
            decided_by_id=world.manager[0],
            acknowledged_at=None,
            slip_id=None,
            closed_at=called,
            created_by_id=world.manager[0],
            created_at=called - timedelta(days=1),
            updated_at=called,
            version=2,
        )


def training_month(writer: Writer, world: BranchWorld, month: date, rng: random.Random) -> None:
    """Four sessions of three hours; most active workers attend each."""
    for week in range(4):
        starts = at_local(month + timedelta(days=7 * week + 2), time(18, 0))
        ends = starts + timedelta(hours=3)
        session = writer.add(
            "training_sessions",
            branch_id=world.branch_id,
            topic=rng.choice(["安全用电", "高空擦窗安全", "清洁剂使用规范", "服务礼仪"]),
            kind="skill",
            manual_section_id=None,
            starts_at=starts,
            ends_at=ends,
            trainer=world.manager[1],
            place="网店会议室",
            created_by_id=world.manager[0],
            created_at=starts - timedelta(days=3),
        )
        for worker_id, _name, _badge in world.workers:
            if rng.random() < 0.9:
                writer.add(
                    "training_attendances",
                    session_id=session["id"],
                    worker_id=worker_id,
                    arrived_at=starts,
                    left_at=ends,
                    how="ticked",
                    reason="",
                    kiosk_id=None,
                    recorded_by_id=world.manager[0],
                    recorded_at=ends,
                )


def month_records(writer: Writer, world: BranchWorld, month: date) -> None:
    """The manager's comments on last month's performance records, not yet acknowledged."""
    for worker_id, _name, _badge in world.workers:
        writer.add(
            "month_records",
            branch_id=world.branch_id,
            worker_id=worker_id,
            month=month,
            comments="本月表现良好，继续保持。",
            commented_by=world.manager[1],
            commented_at=at_local(month + timedelta(days=33), time(9, 0)),
            acknowledged_at=None,
            kiosk_id=None,
            facts=None,
            content_hash="",
        )


def talks(writer: Writer, world: BranchWorld, today: date, rng: random.Random) -> None:
    for worker_id, _name, _badge in world.workers:
        if rng.random() < 0.3:
            writer.add(
                "talks",
                branch_id=world.branch_id,
                worker_id=worker_id,
                talk_date=today - timedelta(days=rng.randrange(1, 700)),
                topic=rng.choice(["state", "family", "work"]),
                notes="孩子在老家上学，想多接一些单。",
                help_given="安排了周末的钟点工订单。",
                escalated_to="",
                escalation_open=False,
                resolution="",
                closed_at=None,
                closed_by_id=None,
                created_by_id=world.manager[0],
                created_at=at_local(today, time(9, 0)),
            )
