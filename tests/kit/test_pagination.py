from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from leadpilot.errors import InvalidInput
from leadpilot.kit.pagination import decode_cursor, encode_cursor


@pytest.mark.parametrize(
    "value", [None, 3, 2.5, "Doe", Decimal("12.30"), date(2025, 1, 31), datetime(2025, 1, 31, 9, 30, tzinfo=UTC)]
)
def test_cursor_round_trips_every_sort_type(value: object) -> None:
    assert decode_cursor(encode_cursor("col", value, 42), sort_key="col") == (value, 42)


def test_cursor_made_for_another_sort_is_rejected() -> None:
    cursor = encode_cursor("last_name", "Doe", 7)
    with pytest.raises(InvalidInput, match="sorted by 'last_name'"):
        decode_cursor(cursor, sort_key="created_at")


@pytest.mark.parametrize("cursor", ["", "%%%", "bm90IGpzb24", "WzEsMl0"])
def test_malformed_cursors_are_invalid_input(cursor: str) -> None:
    with pytest.raises(InvalidInput):
        decode_cursor(cursor, sort_key="id")
