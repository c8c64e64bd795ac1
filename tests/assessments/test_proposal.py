"""The proposal: hours and price worked out from rules kept in the catalogue (R3)."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.assessments.helpers import EVERY_ROOM, accept, rooms, says
from webapp.assessments.proposal import Room, check_rooms, offered_items, propose
from webapp.catalogue.services import save_item_rules, save_service_item
from webapp.core.errors import FieldError
from webapp.core.models import AuditEntry

pytestmark = pytest.mark.rule("R3", "D4")


def test_hours_and_price_come_from_the_catalogues_rules(rules):
    proposal = propose(rooms(), [rules.cleaning, rules.windows])

    cleaning, windows = proposal.lines
    # Cleaning: 96 m² x 1.5 min = 144 min, in started half hours: 2.5 h at ¥40.00.
    assert (cleaning.area, cleaning.minutes, cleaning.hours) == (Decimal(96), 144, Decimal("2.5"))
    assert cleaning.price_fen == 10000
    # Windows: only the 80 m² of living room and bedrooms, 96 min: 2 h, one job of ¥120.00.
    assert (windows.area, windows.minutes, windows.hours) == (Decimal(80), 96, Decimal(2))
    assert windows.price_fen == 12000
    assert proposal.hours == Decimal("4.5")
    assert proposal.price_fen == 22000


def test_the_minimum_per_visit_applies_to_a_small_home(rules):
    small = [Room("living", Decimal(20)), Room("kitchen", Decimal(6))]
    proposal = propose(small, [rules.cleaning, rules.hood])
    cleaning, hood = proposal.lines
    assert (cleaning.minutes, cleaning.hours, cleaning.price_fen) == (120, Decimal(2), 8000)
    assert (hood.minutes, hood.hours, hood.price_fen) == (90, Decimal("1.5"), 15000)


def test_changing_the_rules_in_the_catalogue_changes_the_proposal(rules):
    before = propose(rooms(), [rules.cleaning])
    save_item_rules(rules.cleaning, EVERY_ROOM, Decimal(3), 120)
    after = propose(rooms(), [rules.cleaning])
    assert before.hours == Decimal("2.5") and after.hours == Decimal(5)  # 288 min
    assert after.price_fen == 20000


def test_half_a_fen_rounds_up(world, rules):
    odd = save_service_item(world.company.id, "钟点工", "hour", 4501)
    save_item_rules(odd, EVERY_ROOM, Decimal("1.5"), 0)
    assert propose(rooms(), [odd]).price_fen == 11253  # 2.5 h x ¥45.01 = ¥112.525


def test_an_item_for_none_of_the_rooms_is_refused(rules):
    with pytest.raises(FieldError) as refused:
        propose([Room("bedroom", Decimal(20))], [rules.hood])
    assert refused.value.field == "items"
    assert str(refused.value.message) == says(
        "%(item)s is for none of the rooms entered.", item="油烟机清洗"
    )


def test_only_items_with_rules_are_offered(world, rules):
    names = [item.name for item in offered_items(world.company.id)]
    assert names == sorted(["日常保洁", "擦玻璃", "油烟机清洗"])
    save_item_rules(rules.windows, [], Decimal(0), 0)
    assert "擦玻璃" not in [item.name for item in offered_items(world.company.id)]


def test_rules_are_checked_and_their_changes_audited(rules, db):
    with pytest.raises(FieldError) as refused:
        save_item_rules(rules.windows, ["garage"], Decimal(1), 0)
    assert refused.value.field == "room_kinds"
    with pytest.raises(FieldError) as refused:
        save_item_rules(rules.windows, ["living"], Decimal(0), 0)
    assert refused.value.field == "minutes_per_m2"
    with pytest.raises(FieldError):
        save_item_rules(rules.windows, ["living"], Decimal(-1), 60)

    save_item_rules(rules.windows, ["living", "balcony"], Decimal("1.2"), 45)
    entry = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "catalogue.rules", AuditEntry.entity_id == rules.windows.id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.changes == {
        "room_kinds": {"before": "living,bedroom,balcony,study", "after": "living,balcony"},
        "min_minutes": {"before": 60, "after": 45},
    }


@pytest.mark.parametrize(
    ("bad_rooms", "field", "message"),
    [
        ([], "room.0.kind", ("Enter at least one room.",)),
        ([Room("", Decimal(10))], "room.0.kind", ("Choose the kind of room.",)),
        ([Room("garage", Decimal(10))], "room.0.kind", ("Choose the kind of room.",)),
        ([Room("living", None)], "room.0.area", ("Give the room's area.",)),
        ([Room("living", Decimal(0))], "room.0.area", ("The area must be more than 0 m².",)),
        (
            [Room("living", Decimal(20)), Room("study", Decimal(-5))],
            "room.1.area",
            ("The area must be more than 0 m².",),
        ),
        (
            [Room("living", Decimal("110.5"))],
            "room.0.area",
            ("Larger than the whole home (%(area)s m²).", {"area": Decimal(110)}),
        ),
        (
            [Room("living", Decimal(60)), Room("bedroom", Decimal(60))],
            "home_area",
            (
                "The rooms add up to %(total)s m², more than the home's %(area)s m².",
                {"total": Decimal(120), "area": Decimal(110)},
            ),
        ),
        ([Room("other", Decimal(1))] * 13, "room.12.kind", ("At most %(n)s rooms.", {"n": 12})),
    ],
)
def test_rooms_that_cannot_be(bad_rooms, field, message):
    with pytest.raises(FieldError) as refused:
        check_rooms(Decimal(110), bad_rooms)
    assert refused.value.field == field
    assert str(refused.value.message) == says(message[0], **(message[1:] or [{}])[0])


def test_the_proposal_is_kept_with_the_assessment_as_it_was_that_day(desk, rules):
    assessment = accept(desk)
    save_item_rules(rules.cleaning, EVERY_ROOM, Decimal(3), 120)
    assert [(line.name, line.hours, line.price_fen) for line in assessment.lines] == [
        ("日常保洁", Decimal("2.5"), 10000),
        ("擦玻璃", Decimal(2), 12000),
    ]
    assert (assessment.proposed_hours, assessment.proposed_fen) == (Decimal("4.5"), 22000)
