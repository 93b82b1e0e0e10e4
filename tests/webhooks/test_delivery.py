"""Delivery to a real HTTP server on 127.0.0.1: signing, retries with backoff, idempotency, the sweep."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leadpilot.config import get_settings
from leadpilot.db.session import transaction
from leadpilot.jobs.queue import huey
from leadpilot.kit.clock import utcnow
from leadpilot.webhooks import repository, service
from leadpilot.webhooks.events import emit_event
from leadpilot.webhooks.models import WebhookDelivery, WebhookEndpoint
from leadpilot.webhooks.tasks import deliver_webhook, requeue_stale_deliveries
from tests.fixtures.factories import auth_headers
from tests.webhooks.conftest import SECRET, Clock, Receiver, make_endpoint


def emit_committed(org_id: int, event_type: str = "contact.created", data: dict | None = None) -> list[int]:
    with transaction() as session:
        return emit_event(session, org_id, event_type, data or {"id": 1, "email": "jane@example.com"})


def load(session: Session, delivery_id: int) -> WebhookDelivery:
    session.expire_all()
    delivery = session.get(WebhookDelivery, delivery_id)
    assert delivery is not None
    return delivery


def pending_delivery(session: Session, org_id: int, endpoint_id: int) -> WebhookDelivery:
    """A committed delivery whose job has not run (as if the worker had not picked it up yet)."""
    delivery = WebhookDelivery(org_id=org_id, endpoint_id=endpoint_id, event_id="e1", event_type="contact.updated",
                               payload={"id": "e1"}, status="pending", next_attempt_at=utcnow())  # fmt: skip
    session.add(delivery)
    session.flush()
    return delivery


def run_scheduled_retry() -> None:
    """Run the retry the job scheduled (the test queue keeps scheduled runs until asked)."""
    (retry,) = huey.scheduled()
    (due,) = huey.read_schedule(retry.eta)
    huey.execute(due, retry.eta)


def test_an_event_is_posted_signed_to_a_real_endpoint(
    client: TestClient, db: Session, org_a, receiver: Receiver
) -> None:
    org, owner = org_a
    make_endpoint(db, org.id, receiver.url, events=["contact.*"])
    db.commit()

    created = client.post("/api/v1/contacts", json={"email": "jane@example.com"}, headers=auth_headers(owner))
    assert created.status_code == 201

    (request,) = receiver.requests
    assert request.path == "/hooks/leadpilot"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-LeadPilot-Event"] == "contact.created"
    timestamp = request.headers["X-LeadPilot-Timestamp"]
    assert abs(int(timestamp) - utcnow().timestamp()) < 60
    # The documented check: HMAC-SHA256 over "{timestamp}.{raw body}" with the endpoint's secret.
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-LeadPilot-Signature"] == f"sha256={expected}"
    assert service.verify_signature(SECRET, timestamp=timestamp, body=request.body,
                                    signature=request.headers["X-LeadPilot-Signature"])  # fmt: skip

    body = json.loads(request.body)
    assert body["type"] == "contact.created"
    assert body["org_id"] == org.id
    assert body["data"]["id"] == created.json()["id"]
    assert body["data"]["email"] == "jane@example.com"

    delivery = load(db, int(request.headers["X-LeadPilot-Delivery"]))
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None
    assert delivery.event_id == body["id"]


def test_a_delivered_delivery_is_never_sent_again(connection, db: Session, org_a, receiver: Receiver) -> None:
    org, _ = org_a
    make_endpoint(db, org.id, receiver.url)
    db.commit()
    (delivery_id,) = emit_committed(org.id)
    assert len(receiver.requests) == 1

    deliver_webhook(delivery_id)  # the job runs a second time (duplicate enqueue, sweep, ...)
    outcome = service.deliver(delivery_id)

    assert outcome.status == "skipped"
    assert "already delivered" in outcome.detail
    assert len(receiver.requests) == 1
    assert load(db, delivery_id).attempts == 1


def test_a_second_run_while_the_first_is_in_flight_sends_nothing(
    connection, db: Session, org_a, receiver: Receiver
) -> None:
    org, _ = org_a
    endpoint = make_endpoint(db, org.id, receiver.url)
    delivery_id = pending_delivery(db, org.id, endpoint.id).id
    db.commit()

    concurrent = []
    # While the first attempt waits for the receiver's answer, a duplicate job starts: it finds the claim.
    receiver.on_request = lambda _request: concurrent.append(service.deliver(delivery_id))
    first = service.deliver(delivery_id)

    assert first.status == "delivered"
    assert [o.status for o in concurrent] == ["skipped"]
    assert "not due" in concurrent[0].detail
    assert len(receiver.requests) == 1


def test_only_one_worker_can_claim_an_attempt(connection, db: Session, org_a) -> None:
    org, _ = org_a
    endpoint = make_endpoint(db, org.id, "http://127.0.0.1:9/never-called")
    delivery = pending_delivery(db, org.id, endpoint.id)
    db.commit()
    claim = {"attempts": 1, "last_attempt_at": utcnow()}
    with transaction() as worker_one:
        assert repository.update_if_unchanged(worker_one, delivery.id, attempts=0, values=claim)
    with transaction() as worker_two:
        assert not repository.update_if_unchanged(worker_two, delivery.id, attempts=0, values=claim)


def test_a_failing_endpoint_is_retried_with_exponential_backoff_then_marked_failed(
    connection, db: Session, org_a, receiver: Receiver, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "webhook_max_attempts", 4)
    org, _ = org_a
    make_endpoint(db, org.id, receiver.url)
    db.commit()
    receiver.always(500)

    (delivery_id,) = emit_committed(org.id)  # attempt 1 runs right after the commit
    waits = []
    for _ in range(3):
        delivery = load(db, delivery_id)
        assert delivery.status == "pending"
        wait = (delivery.next_attempt_at - clock.now).total_seconds()
        waits.append(round(wait))
        assert service.deliver(delivery_id).status == "skipped", "not due yet"
        clock.advance(wait)
        run_scheduled_retry()

    delivery = load(db, delivery_id)
    assert waits == [30, 60, 120]  # 30 s doubling
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 4, 500)
    assert delivery.last_error == "HTTP 500: receiver is having a bad day"
    assert delivery.next_attempt_at is None
    assert huey.scheduled() == [], "no retry after the last attempt"
    assert len(receiver.requests) == 4
    assert len({r.headers["X-LeadPilot-Delivery"] for r in receiver.requests}) == 1
    assert len({json.loads(r.body)["id"] for r in receiver.requests}) == 1
    assert len({r.headers["X-LeadPilot-Timestamp"] for r in receiver.requests}) == 4, "each attempt is signed anew"


def test_a_retry_that_succeeds_marks_the_delivery_delivered(
    connection, db: Session, org_a, receiver: Receiver, clock: Clock
) -> None:
    org, _ = org_a
    make_endpoint(db, org.id, receiver.url)
    db.commit()
    receiver.respond(503, headers={"Retry-After": "120"})

    (delivery_id,) = emit_committed(org.id)
    delivery = load(db, delivery_id)
    assert delivery.last_error == "HTTP 503: receiver is having a bad day"
    assert round((delivery.next_attempt_at - clock.now).total_seconds()) == 120, "Retry-After beats the 30 s backoff"
    (scheduled,) = huey.scheduled()
    assert 110 < (scheduled.eta - utcnow().replace(tzinfo=None)).total_seconds() <= 120

    clock.advance(120)
    run_scheduled_retry()
    delivery = load(db, delivery_id)
    assert (delivery.status, delivery.attempts, delivery.response_status, delivery.last_error) == (
        "delivered", 2, 200, None,
    )  # fmt: skip


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_network_errors_and_timeouts_are_retried(
    connection, db: Session, org_a, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    org, _ = org_a
    make_endpoint(db, org.id, f"http://127.0.0.1:{closed_port()}/nobody-listens", events=["contact.created"])
    db.commit()
    (refused,) = emit_committed(org.id)
    delivery = load(db, refused)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, None)
    assert delivery.last_error.startswith("ConnectError")

    monkeypatch.setattr(get_settings(), "webhook_timeout_seconds", 0.3)
    make_endpoint(db, org.id, receiver.url, events=["contact.deleted"])
    db.commit()
    receiver.delay_seconds = 1.5
    (slow,) = emit_committed(org.id, "contact.deleted", {"id": 1})
    delivery = load(db, slow)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "Timeout" in delivery.last_error


def test_the_sweep_re_enqueues_deliveries_whose_job_was_lost(
    connection, db: Session, org_a, receiver: Receiver
) -> None:
    org, _ = org_a
    endpoint = make_endpoint(db, org.id, receiver.url)
    now = utcnow()

    def row(status: str, due: timedelta, event_id: str) -> WebhookDelivery:
        delivery = WebhookDelivery(org_id=org.id, endpoint_id=endpoint.id, event_id=event_id,
                                   event_type="contact.created", payload={"id": event_id}, status=status, attempts=0,
                                   next_attempt_at=now + due)  # fmt: skip
        db.add(delivery)
        return delivery

    lost = row("pending", -timedelta(minutes=10), "lost")  # committed, but the process died before enqueueing
    row("pending", -timedelta(seconds=10), "fresh")  # its job is probably just queued
    row("pending", timedelta(minutes=30), "backing-off")  # waiting for its next attempt
    row("delivered", -timedelta(hours=1), "done")
    row("failed", -timedelta(hours=1), "given-up")
    db.commit()

    assert requeue_stale_deliveries() == 1
    assert [json.loads(r.body)["id"] for r in receiver.requests] == ["lost"]
    assert load(db, lost.id).status == "delivered"
    assert requeue_stale_deliveries() == 0


def test_a_rolled_back_change_sends_nothing(connection, db: Session, org_a, receiver: Receiver) -> None:
    org, _ = org_a
    make_endpoint(db, org.id, receiver.url)
    db.commit()

    def failing_request() -> None:
        with transaction() as session:
            emit_event(session, org.id, "contact.created", {"id": 1})
            raise RuntimeError("the request failed after emitting")

    with pytest.raises(RuntimeError, match="after emitting"):
        failing_request()
    assert receiver.requests == []
    assert db.scalar(select(func.count()).select_from(WebhookDelivery)) == 0


def test_a_disabled_endpoint_gets_nothing(connection, db: Session, org_a, receiver: Receiver) -> None:
    org, _ = org_a
    endpoint = make_endpoint(db, org.id, receiver.url)
    db.commit()
    with transaction() as session:
        emit_event(session, org.id, "contact.created", {"id": 1})
        (delivery_id,) = session.scalars(select(WebhookDelivery.id))
        session.get(WebhookEndpoint, endpoint.id).is_active = False  # disabled before the job ran
    assert receiver.requests == []
    delivery = load(db, delivery_id)
    assert (delivery.status, delivery.last_error) == ("failed", "the endpoint is disabled")


def test_private_addresses_are_refused_when_private_networks_are_off(
    connection, db: Session, org_a, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "webhook_allow_private_networks", False)
    org, _ = org_a
    make_endpoint(db, org.id, receiver.url)
    db.commit()
    (delivery_id,) = emit_committed(org.id)
    delivery = load(db, delivery_id)
    assert receiver.requests == []
    assert delivery.status == "failed", "a refused destination is not retried"
    assert "127.0.0.1" in delivery.last_error
