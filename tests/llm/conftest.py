from __future__ import annotations

from collections.abc import Iterator

import pytest

from leadpilot.llm import reset_providers
from leadpilot.llm.usage import usage_buffer
from tests.llm.fake_openai import FakeOpenAI, start_fake_openai


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "local_llm: runs the bundled SmolLM2 (needs the local-llm extra)")


@pytest.fixture(autouse=True)
def _fresh_providers() -> Iterator[None]:
    """Circuit breakers, cached providers and unflushed usage must not leak between tests."""
    reset_providers()
    usage_buffer.clear()
    yield
    reset_providers()
    usage_buffer.clear()


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    fake, server, thread = start_fake_openai()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
