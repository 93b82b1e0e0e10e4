"""Settings, read from ``LEADPILOT_*`` environment variables and an optional ``.env`` file.

Every setting is listed in ``docs/configuration.md``. With ``LEADPILOT_ENVIRONMENT=production`` the settings refuse a
missing, placeholder or short secret key, so a production deployment cannot run with a key published anywhere.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development"}
# Words that mark a value copied from an example file rather than generated.
_PLACEHOLDER_WORDS = ("changeme", "change-me", "change_me", "replace-me", "replace_me", "your-secret", "example")
MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    # Validation errors must not print the values they refuse: they are often secrets (keys, database passwords).
    model_config = SettingsConfigDict(
        env_prefix="LEADPILOT_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    environment: Literal["development", "test", "production"] = "development"
    home: Path = Field(default_factory=lambda: Path.home() / ".leadpilot")
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: SecretStr = SecretStr("")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = None
    log_level: str = "INFO"
    log_json: bool = True

    access_token_minutes: int = Field(default=60 * 12, ge=1)
    cookie_secure: bool | None = None

    login_rate_limit: int = Field(default=10, ge=1)
    login_rate_window_seconds: int = Field(default=60, ge=1)
    api_key_rate_limit: int = Field(default=1200, ge=1)
    api_key_rate_window_seconds: int = Field(default=60, ge=1)

    default_phone_region: str = "US"
    default_currency: str = "USD"

    queue_mode: Literal["embedded", "redis", "immediate"] | None = None
    worker_threads: int = Field(default=2, ge=1)
    run_worker_in_serve: bool = True
    worker_shutdown_timeout_seconds: float = Field(default=30.0, gt=0)

    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_max_attempts: int = Field(default=8, ge=1)
    webhook_allow_private_networks: bool = True

    import_max_bytes: int = Field(default=200 * 1024 * 1024, ge=1)
    # Knowledge base (docs/knowledge.md).
    knowledge_max_file_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    knowledge_inline_chunks: int = Field(default=40, ge=0)

    # Model providers (docs/models.md, docs/adr/0008-model-providers.md).
    llm_provider: Literal["openai", "local", "none"] | None = None
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_seconds: float = Field(default=60.0, gt=0)
    llm_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    llm_retry_backoff_seconds: float = Field(default=0.5, ge=0)
    llm_circuit_failures: int = Field(default=5, ge=1)
    llm_circuit_reset_seconds: float = Field(default=30.0, gt=0)
    llm_local_model_path: Path | None = None
    llm_local_context_tokens: int = Field(default=2048, ge=256)
    llm_local_threads: int | None = Field(default=None, ge=1)
    llm_usage_flush_seconds: float = Field(default=60.0, ge=0)
    embeddings_provider: Literal["local", "openai"] = "local"
    embeddings_base_url: str | None = None
    embeddings_model: str | None = None
    embeddings_api_key: SecretStr | None = None
    embeddings_dimension: int | None = Field(default=None, ge=1)
    embeddings_batch_size: int = Field(default=32, ge=1, le=2048)
    embeddings_threads: int = Field(default=1, ge=0)

    # Follow-up generation (docs/followups.md).
    followup_finetuned_model: str | None = None
    followup_high_intent_min: float = Field(default=70.0, ge=0, le=100)
    followup_medium_intent_min: float = Field(default=40.0, ge=0, le=100)
    followup_cold_days: int = Field(default=30, ge=1)
    followup_similarity_threshold: float = Field(default=0.5, ge=0, le=1)
    followup_cache_ttl_seconds: float = Field(default=1800.0, gt=0)
    followup_cache_size: int = Field(default=1024, ge=1)

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment != "production":
            return self
        value = self.secret_key.get_secret_value().strip()
        hint = "for example: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        if value.lower() in PLACEHOLDER_SECRETS or any(word in value.lower() for word in _PLACEHOLDER_WORDS):
            raise ValueError(f"LEADPILOT_SECRET_KEY must be set to a random value in production ({hint})")
        if len(value) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(
                f"LEADPILOT_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters in production ({hint})"
            )
        if len(set(value)) < 10:
            raise ValueError(f"LEADPILOT_SECRET_KEY does not look random ({hint})")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'leadpilot.db'}"

    @property
    def resolved_queue_mode(self) -> str:
        if self.queue_mode:
            return self.queue_mode
        return "redis" if self.redis_url else "embedded"

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.environment == "production"

    def signing_key(self) -> str:
        """The key that signs sessions. In development a key is generated once and kept under ``home``."""
        value = self.secret_key.get_secret_value()
        if value.strip().lower() not in PLACEHOLDER_SECRETS:
            return value
        key_file = self.home / "secret.key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.home.mkdir(parents=True, exist_ok=True)
        generated = secrets.token_urlsafe(48)
        key_file.write_text(generated)
        key_file.chmod(0o600)
        return generated


@lru_cache
def get_settings() -> Settings:
    return Settings()
