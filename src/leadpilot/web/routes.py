"""The dashboard (server-rendered Jinja2 + HTMX)."""

from __future__ import annotations

from fastapi import FastAPI


def install_web(app: FastAPI) -> None:
    """Mount the dashboard's routes and static files on ``app``."""
