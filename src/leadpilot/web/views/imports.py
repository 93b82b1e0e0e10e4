"""Imports: upload a file, follow the job's progress, read the per-row errors."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
