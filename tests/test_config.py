from __future__ import annotations

import re
import secrets
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from leadpilot.config import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("", "must be set to a random value"),
        ("changeme", "must be set to a random value"),
        ("  secret  ", "must be set to a random value"),
        ("please-change-me-before-going-live-0123456789", "must be set to a random value"),
        ("Zq3-short-but-random", "at least 32 characters"),
        ("a" * 48, "does not look random"),
    ],
)
def test_production_refuses_a_placeholder_or_weak_secret_key(secret: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as raised:
        settings(environment="production", secret_key=secret)
    assert "LEADPILOT_SECRET_KEY" in str(raised.value)
    assert "input_value" not in str(raised.value), "the error must not echo the refused value"
    if len(secret) > 10:
        assert secret not in str(raised.value)


def test_production_accepts_a_random_secret_key() -> None:
    key = secrets.token_urlsafe(48)
    production = settings(environment="production", secret_key=key)
    assert production.signing_key() == key
    assert production.secure_cookies is True


def test_the_environment_variables_are_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADPILOT_ENVIRONMENT", "production")
    monkeypatch.setenv("LEADPILOT_SECRET_KEY", "changeme")
    with pytest.raises(ValidationError, match="LEADPILOT_SECRET_KEY"):
        Settings(_env_file=None)
    monkeypatch.setenv("LEADPILOT_SECRET_KEY", secrets.token_urlsafe(48))
    assert Settings(_env_file=None).environment == "production"


def test_development_generates_and_keeps_a_signing_key(tmp_path: Path) -> None:
    development = settings(environment="development", secret_key="", home=tmp_path)
    key = development.signing_key()
    assert len(key) >= 48
    assert settings(environment="development", secret_key="", home=tmp_path).signing_key() == key
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600
    assert development.secure_cookies is False


def test_derived_defaults(tmp_path: Path) -> None:
    plain = settings(home=tmp_path, database_url=None, redis_url=None, queue_mode=None)
    assert plain.resolved_database_url == f"sqlite:///{tmp_path / 'leadpilot.db'}"
    assert plain.resolved_queue_mode == "embedded"
    scaled = settings(home=tmp_path, redis_url="redis://cache:6379/0", queue_mode=None)
    assert scaled.resolved_queue_mode == "redis"
    assert settings(queue_mode="immediate", redis_url="redis://cache:6379/0").resolved_queue_mode == "immediate"
    assert (
        settings(environment="production", secret_key=secrets.token_urlsafe(48), cookie_secure=False).secure_cookies
        is False
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("worker_threads", 0), ("webhook_max_attempts", 0), ("webhook_timeout_seconds", 0), ("queue_mode", "celery")],
)
def test_nonsense_values_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        settings(**{field: value})


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`(LEADPILOT_[A-Z0-9_]+)`", DOCS.read_text()))
    expected = {f"LEADPILOT_{name.upper()}" for name in Settings.model_fields}
    assert expected - documented == set(), "add these to docs/configuration.md"
    stale = documented - expected - {"LEADPILOT_TEST_DATABASE_URL", "LEADPILOT_TEST_REDIS_URL"}
    assert stale == set(), "docs/configuration.md documents settings that do not exist"
