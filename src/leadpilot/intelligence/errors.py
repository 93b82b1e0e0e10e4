"""Errors of the intelligence domain (see ``leadpilot.errors`` for the hierarchy)."""

from __future__ import annotations

from leadpilot.errors import Conflict, InvalidInput
from leadpilot.intelligence.repository import IntelligenceExampleNotFound, MessageNotFound


class ExampleInvalid(InvalidInput):
    default_detail = "Invalid example"


class ExampleExists(Conflict):
    default_detail = "This example already exists"


__all__ = ["ExampleExists", "ExampleInvalid", "IntelligenceExampleNotFound", "MessageNotFound"]
