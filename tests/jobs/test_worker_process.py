"""``leadpilot worker`` as a real process: it starts, and SIGTERM stops it gracefully with exit code 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.slow
def test_sigterm_stops_the_worker_gracefully(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LEADPILOT_HOME": str(tmp_path),
        "LEADPILOT_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "LEADPILOT_QUEUE_MODE": "embedded",
        "LEADPILOT_LOG_JSON": "false",
        "LEADPILOT_LOG_LEVEL": "INFO",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "leadpilot.cli.main", "worker", "--workers", "1"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        started = []
        while time.monotonic() < deadline:
            line = worker.stderr.readline()
            started.append(line)
            if "consumer started" in line or not line:
                break
        assert any("consumer started" in line for line in started), "".join(started)
        assert (tmp_path / "queue.db").exists()
        time.sleep(1.0)  # the consumer installs its signal handlers right after logging that it started

        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
        rest = worker.stderr.read()
        assert "Shutting down gracefully" in rest
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        worker.stderr.close()
