from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadpilot.db.session import transaction
from leadpilot.webhooks.events import EVENT_TYPES, emit_event, event_domains, subscribed
from leadpilot.webhooks.models import WebhookDelivery
from leadpilot.webhooks.service import sign, verify_signature
from tests.webhooks.conftest import make_endpoint

SRC = Path(__file__).resolve().parents[2] / "src" / "leadpilot"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def test_subscription_patterns() -> None:
    assert subscribed(["*"], "deal.created")
    assert subscribed(["contact.*"], "contact.deleted")
    assert subscribed(["lead.created", "deal.stage_changed"], "deal.stage_changed")
    assert not subscribed(["contact.*"], "company.created")
    assert not subscribed(["contact.created"], "contact.updated")
    assert not subscribed([], "contact.created")


def test_an_event_goes_to_the_subscribed_active_endpoints_of_its_org_only(
    connection, db: Session, org_a, org_b
) -> None:
    org, _ = org_a
    other, _ = org_b
    wanted = make_endpoint(db, org.id, "http://127.0.0.1:9/a", events=["contact.*"])
    make_endpoint(db, org.id, "http://127.0.0.1:9/b", events=["deal.*"])
    make_endpoint(db, org.id, "http://127.0.0.1:9/c", events=["*"], is_active=False)
    make_endpoint(db, other.id, "http://127.0.0.1:9/d", events=["*"])
    session = db
    ids = emit_event(session, org.id, "contact.created", {"id": 1})
    rows = session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(ids))).all()
    assert [(r.endpoint_id, r.org_id, r.status, r.attempts) for r in rows] == [(wanted.id, org.id, "pending", 0)]
    assert rows[0].payload["type"] == "contact.created"
    session.rollback()  # nothing was committed, so nothing is enqueued
    with transaction() as fresh:
        assert fresh.scalars(select(WebhookDelivery)).all() == []


def _emitted_event_types() -> list[tuple[str, str]]:
    """(file, event type or "<domain>.*" for f-strings) for every emit_event call in the source."""
    found = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "emit_event"):
                continue
            if len(node.args) < 3:
                continue
            arg = node.args[2]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((str(path.relative_to(SRC)), arg.value))
            elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
                found.append((str(path.relative_to(SRC)), f"{arg.values[0].value}*"))
    return found


def test_every_emitted_event_type_is_in_the_catalogue_and_the_docs() -> None:
    emitted = _emitted_event_types()
    assert emitted, "the scan found no emit_event calls"
    docs = DOCS.read_text()
    for where, event_type in emitted:
        if event_type.endswith(".*"):
            assert event_type[:-2] in event_domains(), f"{where}: {event_type} has no entry in webhooks.events"
        else:
            assert event_type in EVENT_TYPES, f"{where}: add {event_type!r} to EVENT_TYPES in webhooks/events.py"
    for event_type in EVENT_TYPES:
        assert f"`{event_type}`" in docs, f"document {event_type} in docs/webhooks.md"


def test_signatures_reject_tampering_and_replays() -> None:
    body = b'{"id":"evt_1","type":"ping"}'
    signature = sign("whsec_x", 1_700_000_000, body)
    assert verify_signature("whsec_x", timestamp="1700000000", body=body, signature=signature, now=1_700_000_100)
    assert not verify_signature("whsec_y", timestamp="1700000000", body=body, signature=signature, now=1_700_000_100)
    assert not verify_signature("whsec_x", timestamp="1700000000", body=body + b" ", signature=signature,
                                now=1_700_000_100)  # fmt: skip
    assert not verify_signature("whsec_x", timestamp="1700000001", body=body, signature=signature, now=1_700_000_100)
    assert not verify_signature("whsec_x", timestamp="1700000000", body=body, signature=signature, now=1_700_000_400)
    assert not verify_signature("whsec_x", timestamp="soon", body=body, signature=signature)
