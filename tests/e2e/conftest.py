"""Browser tests: a real ``leadpilot serve`` in a subprocess (its own LEADPILOT_HOME and SQLite file, not the
rolled-back test connection), driven by Playwright through Debian's Chromium.

Set ``LEADPILOT_SCREENSHOTS=/some/dir`` to keep a screenshot of each main page.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
OWNER_EMAIL = "erin@e2e.example"
OWNER_PASSWORD = "e2e-password-0123456789"

requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed: apt-get install chromium"
)


@dataclass(frozen=True)
class LiveServer:
    url: str
    home: Path
    email: str = OWNER_EMAIL
    password: str = OWNER_PASSWORD


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADPILOT_")}
    env.update(
        LEADPILOT_HOME=str(home),
        LEADPILOT_DATABASE_URL=f"sqlite:///{home / 'leadpilot.db'}",
        LEADPILOT_ENVIRONMENT="development",
        LEADPILOT_SECRET_KEY="e2e-secret-key-that-is-long-enough-0123456789",
        LEADPILOT_QUEUE_MODE="embedded",
        LEADPILOT_LOG_LEVEL="WARNING",
        LEADPILOT_WORKER_THREADS="1",
    )
    return env


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "leadpilot.cli.main", *args], env=env, check=True, capture_output=True,
                   timeout=120)  # fmt: skip


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    home = Path(tempfile.mkdtemp(prefix="leadpilot-e2e-"))
    env = _server_env(home)
    _cli(env, "db", "upgrade")
    _cli(env, "org", "create", "--name", "Brightline Logistics", "--owner-email", OWNER_EMAIL, "--owner-name",
         "Erin Walsh", "--password", OWNER_PASSWORD)  # fmt: skip
    port = _free_port()
    log = (home / "server.log").open("wb")
    command = [sys.executable, "-m", "leadpilot.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen([*command, "--no-migrate"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {(home / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 60 s")
            time.sleep(0.2)
        yield LiveServer(url=url, home=home)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium):  # type: ignore[no-untyped-def]
    """A fresh browser tab. The dashboard sends a strict Content-Security-Policy; anything it blocks (an inline
    script, an eval) fails the test."""
    context = chromium.new_context(viewport={"width": 1360, "height": 900})
    blocked: list[str] = []
    tab = context.new_page()
    tab.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        yield tab
    finally:
        context.close()
    assert not blocked, blocked


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    target = os.environ.get("LEADPILOT_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)


def sign_in(page, server: LiveServer, next_path: str = "/") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}{next_path}")
    page.fill("input[name=email]", server.email)
    page.fill("input[name=password]", server.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}{next_path}")
