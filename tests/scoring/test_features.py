"""Point-in-time features, the leakage guard, labels from a window after as-of, and forgiving inputs."""

from __future__ import annotations

import math
import random
from dataclasses import replace

import numpy as np
import pytest

from leadpilot.scoring.dataset import Built, LeadOutcome, lead_snapshots, split_by_time
from leadpilot.scoring.features import (
    DAY,
    EMAIL_REPLIED,
    FEATURE_INDEX,
    FEATURE_NAMES,
    FeatureEncoder,
    LeadRecord,
    activity_event,
    add_events,
    lead_features,
    message_signal,
    page_code,
    point_in_time_violations,
    row_from_mapping,
    seniority_of,
)
from tests.scoring.conftest import AS_OF

T0 = 1_700_000_000.0


def _sample(world: Built, n: int, seed: int = 3) -> tuple[list[LeadRecord], list[float]]:
    """Leads at as-of times that cut through their histories, including after their outcome."""
    rng = random.Random(seed)
    leads = rng.sample(sorted(world.records), min(n, len(world.records)))
    records, as_ofs = [], []
    for lead_id in leads:
        record = world.records[lead_id]
        end = record.times[-1] if record.times else record.created_at + 90 * DAY
        for _ in range(3):
            records.append(record)
            as_ofs.append(rng.uniform(record.created_at - 10 * DAY, end + DAY))
    return records, as_ofs


def test_no_feature_reads_an_event_at_or_after_its_as_of_time(world: Built) -> None:
    records, as_ofs = _sample(world, 250)
    snapshots = lead_snapshots(world.outcomes.values(), data_end=AS_OF.timestamp())[::7]
    records += [world.records[s.lead_id] for s in snapshots]
    as_ofs += [s.as_of for s in snapshots]
    assert point_in_time_violations(records, as_ofs) == {}


def test_the_leakage_guard_fails_a_feature_that_reads_the_future(world: Built) -> None:
    def leaky(record: LeadRecord, as_of: float) -> list[object]:
        row = lead_features(record, as_of)
        # counts every reply the contact ever sent, including those after as-of
        row[FEATURE_INDEX["email_replies"]] = float(len(record.events_index().by_code[EMAIL_REPLIED]))
        return row

    records, as_ofs = _sample(world, 250)
    violations = point_in_time_violations(records, as_ofs, features=leaky)
    assert set(violations) == {"email_replies"}


def test_the_demo_leaks_on_purpose_and_point_in_time_features_do_not(world: Built) -> None:
    """Converted leads keep acting after their conversion: a feature over the whole history would see it."""
    converted = [o for o in world.outcomes.values() if o.converted_at is not None]
    assert converted
    after = [
        lead_features(world.records[o.lead_id], o.converted_at + 60 * DAY)[FEATURE_INDEX["inbound_30d"]]
        - lead_features(world.records[o.lead_id], o.converted_at)[FEATURE_INDEX["inbound_30d"]]
        for o in converted
    ]
    assert sum(1 for delta in after if delta != 0) > len(converted) / 4


def _record(**fields: object) -> LeadRecord:
    record = LeadRecord(lead_id=1, created_at=T0, updated_at=T0, contact_created_at=T0 - 5 * DAY, **fields)  # type: ignore[arg-type]
    return record


def test_facts_after_as_of_change_nothing() -> None:
    as_of = T0 + 10 * DAY
    before = _record(
        stages=[(T0, "new"), (T0 + 2 * DAY, "contacted")],
        bant_known_since={"budget": T0 + 3 * DAY},
        budget_amount=5000.0,
    )
    add_events(before, [(T0 + 1 * DAY, 1, 2), (T0 + 4 * DAY, 8, 2), (T0 + 5 * DAY, 5, 4)])
    after = _record(
        stages=[(T0, "new"), (T0 + 2 * DAY, "contacted"), (T0 + 11 * DAY, "qualified"), (T0 + 20 * DAY, "converted")],
        bant_known_since={"budget": T0 + 3 * DAY, "authority": T0 + 12 * DAY, "timeline": T0 + 12 * DAY},
        budget_amount=5000.0,
        timeline_at=T0 + 40 * DAY,
        email_opt_out_at=T0 + 30 * DAY,
        company_customer_since=T0 + 25 * DAY,
        company_lead_times=[T0 + 15 * DAY],
        signals=[message_signal(T0 + 11 * DAY, {"intent": "pricing", "sentiment": 0.9})],  # type: ignore[list-item]
        purchases=[(T0 + 30 * DAY, 1000.0)],
    )
    add_events(after, [(T0 + 1 * DAY, 1, 2), (T0 + 4 * DAY, 8, 2), (T0 + 5 * DAY, 5, 4)])
    # the same moment as as-of is already "after": only strictly earlier facts count
    add_events(after, [(as_of, 8, 2), (T0 + 12 * DAY, 1, 2), (T0 + 13 * DAY, 12, 8)])
    a, b = lead_features(before, as_of), lead_features(after, as_of)
    assert [(n, x) for n, x, y in zip(FEATURE_NAMES, a, b, strict=True) if not (x == y or (x != x and y != y))] == []
    assert a[FEATURE_INDEX["stage"]] == "contacted"
    assert a[FEATURE_INDEX["budget_known"]] == 1.0
    assert a[FEATURE_INDEX["email_replies"]] == 1.0
    assert lead_features(after, T0 + 12.5 * DAY)[FEATURE_INDEX["stage"]] == "qualified"


def test_labels_come_from_a_window_after_as_of_and_only_when_it_has_closed() -> None:
    converts = LeadOutcome(1, created_at=T0, converted_at=T0 + 10 * DAY, resolved_at=T0 + 10 * DAY, group=1)
    lost = LeadOutcome(2, created_at=T0, converted_at=None, resolved_at=T0 + 40 * DAY, group=2)
    still_open = LeadOutcome(3, created_at=T0 + 50 * DAY, converted_at=None, resolved_at=None, group=3)
    snapshots = lead_snapshots([converts, lost, still_open], data_end=T0 + 100 * DAY, horizon_days=30)
    by_lead: dict[int, list[tuple[float, int]]] = {}
    for s in snapshots:
        by_lead.setdefault(s.lead_id, []).append(((s.as_of - T0) / DAY, s.label))
    # seen while open only, labelled 1 when the conversion falls in [as_of, as_of + 30 days)
    assert by_lead[1] == [(1 / 24, 1), (1, 1), (3, 1), (7, 1)]
    assert by_lead[2] == [(1 / 24, 0), (1, 0), (3, 0), (7, 0), (14, 0), (21, 0), (30, 0)]
    # a window still running at the end of the data is never a negative
    assert [age for age, _ in by_lead.get(3, [])] == [50 + 1 / 24, 51, 53, 57, 64]
    assert all(s.as_of + 30 * DAY <= T0 + 100 * DAY for s in snapshots)


def test_the_time_split_keeps_leads_whole_and_tests_on_the_newest(world: Built) -> None:
    split = split_by_time(lead_snapshots(world.outcomes.values(), data_end=AS_OF.timestamp()))
    slices = [{s.lead_id for s in part} for part in (split.train, split.calibration, split.test)]
    assert not (slices[0] & slices[1])
    assert not (slices[0] & slices[2])
    assert not (slices[1] & slices[2])
    assert max(s.created_at for s in split.train) <= min(s.created_at for s in split.calibration)
    assert max(s.created_at for s in split.calibration) <= min(s.created_at for s in split.test)


@pytest.mark.parametrize(
    "annotations",
    [
        None,
        {},
        "text",
        {"sentiment": "happy"},
        {"intent": 3},
        {"buying_signals": "yes"},
        {"objections": [1, None]},
        {"sentiment": {"score": float("nan")}, "intents": [{"label": "Pricing"}, None]},
    ],
)
def test_message_annotations_are_read_defensively(annotations: object) -> None:
    signal = message_signal(T0, annotations)  # type: ignore[arg-type]
    assert signal is None or signal.at == T0


def test_message_annotations_feed_conversation_features() -> None:
    signal = message_signal(
        T0,
        {
            "intent": {"label": "demo_request"},
            "sentiment": {"score": 0.6},
            "buying_signals": [{"strength": 0.8}],
            "objections": [{"type": "price", "severity": "high"}],
        },
    )
    assert signal is not None
    record = _record(signals=[signal])
    row = lead_features(record, T0 + DAY)
    assert row[FEATURE_INDEX["high_intent_messages"]] == 1.0
    assert row[FEATURE_INDEX["buying_signal_max"]] == 0.8
    assert row[FEATURE_INDEX["objection_severity_max"]] == 0.9
    assert row[FEATURE_INDEX["sentiment_mean"]] == pytest.approx(0.6)


def test_ad_hoc_values_never_crash_and_say_what_was_ignored() -> None:
    row, warnings = row_from_mapping(
        {
            "pricing_views_7d": "3",
            "seniority": "VP",
            "source": 7,
            "email_replies": float("inf"),
            "no_such_feature": 1,
            "company_employees_log": 1e300,
            "stage": "qualified",
            "web_trend": "soon",
        }
    )
    assert row[FEATURE_INDEX["pricing_views_7d"]] == 3.0
    assert row[FEATURE_INDEX["seniority"]] == "vp"
    assert any("no_such_feature" in w for w in warnings)
    assert any("source" in w for w in warnings)
    assert any("email_replies" in w for w in warnings)
    assert any("web_trend" in w for w in warnings)
    encoder = FeatureEncoder(vocabularies={"stage": ["new", "qualified"]}, clip={"company_employees_log": (0.0, 10.0)})
    matrix = encoder.encode([row, [None] * 3, ["garbage"] * len(FEATURE_NAMES)])
    assert matrix.shape == (3, len(FEATURE_NAMES))
    assert matrix[0, FEATURE_INDEX["company_employees_log"]] == 10.0
    assert matrix[0, FEATURE_INDEX["stage"]] == 1.0
    assert np.isnan(matrix[2]).all()


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("VP Finance", "vp"),
        ("Chief Data Officer", "c_level"),
        ("Head of Data", "director"),
        ("Analytics Manager", "manager"),
        ("Data Analyst", "individual_contributor"),
        (None, None),
    ],
)
def test_seniority_is_read_from_the_title_when_missing(title: str | None, level: str | None) -> None:
    assert seniority_of(None, title) == level
    assert seniority_of("Director", "Intern") == "director"


def test_pages_and_activities_become_events() -> None:
    assert page_code("https://x.example/pricing#compare") == page_code(None, "/plans/enterprise") == 1
    assert page_code("https://x.example/blog/post") == 0
    event = activity_event(
        {"type": "call", "occurred_at": AS_OF, "properties": {"direction": "inbound", "outcome": "connected"}}
    )
    assert event is not None
    assert event[2] & 2
    assert event[2] & 8
    assert activity_event({"type": "web_visit", "occurred_at": None}) is None
    assert activity_event({"type": "mystery", "occurred_at": AS_OF, "properties": "bad"}) is not None


def test_a_cut_record_knows_only_the_past(world: Built) -> None:
    record = next(r for r in world.records.values() if len(r.times) > 10)
    middle = record.times[len(record.times) // 2]
    cut = record.cut(middle)
    assert all(t < middle for t in cut.times)
    assert math.isclose(len(cut.times) + sum(1 for t in record.times if t >= middle), len(record.times))
    assert replace(record).times == record.times
