from __future__ import annotations

import io
import json
from datetime import datetime

import pytest

from leadpilot.crm import validation
from leadpilot.imports.errors import ImportFileInvalid
from leadpilot.imports.fields import Normalizers, build_extractor, header_key, resolve_mapping
from leadpilot.imports.parsing import CsvReader, detect_encoding, json_records, open_text, read_records, scan
from leadpilot.imports.schemas import FileFormat, ImportEntity


def _parts(data: bytes, size: int = 7) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_csv_rows_are_numbered_as_in_a_spreadsheet() -> None:
    data = b'email,note\n"a@example.com","two\nlines"\n\nb@example.com,x\n'
    header, records = read_records(_parts(data), FileFormat.csv, encoding="utf-8", delimiter=None)
    assert header == ["email", "note"]
    assert [(r.number, r.cells) for r in records] == [(2, ["a@example.com", "two\nlines"]), (4, ["b@example.com", "x"])]
    _, resumed = read_records(_parts(data), FileFormat.csv, encoding="utf-8", delimiter=None, skip=1)
    assert [r.number for r in resumed] == [4]


@pytest.mark.parametrize(("line", "delimiter"), [("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ("a|b", "|"),
                                                 ('"x;y",b', ","), ("single", ",")])  # fmt: skip
def test_delimiter_is_detected_from_the_header(line: str, delimiter: str) -> None:
    assert CsvReader(io.StringIO(line + "\n"), delimiter=None).delimiter == delimiter


def test_a_row_with_more_values_than_the_header_is_a_row_problem() -> None:
    _, records = read_records([b"email\na@example.com,extra\nb@example.com,\n"], FileFormat.csv, encoding="utf-8",
                              delimiter=None)  # fmt: skip
    first, second = list(records)
    assert first.problem == "the row has 2 values but the header names 1 columns"
    assert second.problem is None


@pytest.mark.parametrize(
    ("data", "encoding"),
    [("é".encode(), "utf-8"), (b"\xef\xbb\xbfx", "utf-8-sig"), ("é".encode("latin-1"), "latin-1"),
     ("x".encode("utf-16"), "utf-16"), (b"", "utf-8")],
)  # fmt: skip
def test_encoding_detection(data: bytes, encoding: str) -> None:
    assert detect_encoding(_parts(data, 1)) == encoding


def test_a_utf8_character_split_across_parts_is_still_utf8() -> None:
    data = "email,name\na@example.com,Zoë Ångström\n".encode()
    assert detect_encoding(_parts(data, 3)) == "utf-8"
    _, records = read_records(_parts(data, 3), FileFormat.csv, encoding="utf-8", delimiter=None)
    assert next(records).cells == ["a@example.com", "Zoë Ångström"]


def test_a_large_json_array_streams_across_block_boundaries() -> None:
    items = [{"email": f"user{i}@example.com", "n": i, "score": i * 1.5, "ok": i % 2 == 0} for i in range(5000)]
    data = json.dumps(items, separators=(",", ":")).encode()
    assert len(data) > 3 * 65536
    records = list(json_records(open_text(_parts(data, 4096), "utf-8")))
    assert [r.cells for r in records] == items
    assert records[-1].number == 5000


def test_json_lines_are_numbered_by_line() -> None:
    data = b'\n{"email": "a@example.com"}\n\n[1]\n{"email": "b@example.com"}\n{broken\n'
    records = list(json_records(open_text([data], "utf-8")))
    assert [(r.number, r.problem) for r in records] == [
        (2, None), (4, "this line is not a JSON object"), (5, None), (6, records[-1].problem),
    ]  # fmt: skip
    assert records[-1].problem is not None
    assert records[-1].problem.startswith("invalid JSON on this line")


def test_scan_counts_rows_and_collects_json_keys() -> None:
    data = b'[{"email": "a@example.com"}, {"email": "b@example.com", "phone": "1"}]'
    found = scan(lambda: iter([data]), FileFormat.json, encoding=None, delimiter=None)
    assert (found.columns, found.total_rows, found.json_layout) == (["email", "phone"], 2, "array")


@pytest.mark.parametrize(
    "raw",
    ["Jane.Doe@Example.COM", "  a+b@example.co.uk ", "x_y-z@sub.example.com", "a@b.c", "a@example", "a..b@example.com",
     ".a@example.com", "a.@example.com", "a@-example.com", "a@example..com", "üser@example.com", "user@exämple.com",
     '"quoted"@example.com', "a@localhost", "a@example.invalid", "a@[127.0.0.1]", "@example.com", "a@", "a@b@c.com",
     "x" * 65 + "@example.com", "a@" + "b" * 64 + ".com", "user@EXAMPLE.com"],
)  # fmt: skip
def test_the_fast_email_path_agrees_with_normalize_email(raw: str) -> None:
    norm = Normalizers(phone_region="US", timezone="UTC")
    try:
        expected = validation.normalize_email(raw)
    except ValueError as exc:
        message = str(exc)
    else:
        assert norm.email(raw) == expected
        assert norm.email(raw) == expected  # the domain is cached now
        return
    with pytest.raises(ValueError, match="not a valid email address") as caught:
        norm.email(raw)
    assert str(caught.value) == message


def test_naive_times_are_read_in_the_import_time_zone() -> None:
    norm = Normalizers(phone_region="US", timezone="America/New_York")
    assert norm.datetime("2025-07-01 12:00").isoformat() == "2025-07-01T16:00:00+00:00"
    assert norm.datetime("2025-07-01T12:00:00+02:00").isoformat() == "2025-07-01T10:00:00+00:00"
    assert norm.datetime("July 1, 2025 12:00 PM").isoformat() == "2025-07-01T16:00:00+00:00"
    with pytest.raises(ValueError, match="date"):
        norm.datetime("1850-01-01")


def test_header_synonyms() -> None:
    assert header_key(" E-mail Address ") == "e_mail_address"
    mapping = resolve_mapping(
        ImportEntity.contacts,
        ["E-mail", "Phone Number", "Company", "First Name", "Surname", "Job Title", "Shoe size", "custom.Plan"],
        None,
    )
    assert mapping == {"E-mail": "email", "Phone Number": "phone", "Company": "company_name",
                       "First Name": "first_name", "Surname": "last_name", "Job Title": "title", "Shoe size": None,
                       "custom.Plan": "custom.Plan"}  # fmt: skip
    activity = resolve_mapping(ImportEntity.activities, ["Email", "Event", "Timestamp", "Revenue"], None)
    assert activity == {"Email": "contact_email", "Event": "type", "Timestamp": "occurred_at", "Revenue": "amount"}
    with pytest.raises(ImportFileInvalid, match="No column maps to occurred_at"):
        resolve_mapping(ImportEntity.activities, ["Email", "Event"], None)


def _datetime_before(value: str, timezone: str) -> datetime:
    """How an import read a date-time before ISO 8601 text got its own path: everything through parse_datetime."""
    parsed: str | datetime
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        parsed = value.strip()
    return validation.parse_datetime(parsed, default_timezone=timezone)


@pytest.mark.parametrize("timezone", ["UTC", "America/New_York", "Europe/Berlin"])
@pytest.mark.parametrize(
    "raw",
    ["2025-07-01 12:00", "2025-07-01T12:00:00+02:00", "2025-07-01T12:00:00Z", "2025-07-01", " 2025-07-01T12:00 ",
     "2025-07-01T12:00:00.123456-07:00", "20250701T120000", "2025-03-30 02:30", "2025-10-26 02:30",
     "July 1, 2025 12:00 PM", "01/07/2025 12:00", "1850-01-01", "1850-01-01T00:00:00+00:00", "2101-01-01 00:00",
     "1970-01-01T00:30:00+01:00", "not a date", "2025-13-01"],
)  # fmt: skip
def test_the_fast_datetime_path_agrees_with_parse_datetime(raw: str, timezone: str) -> None:
    norm = Normalizers(phone_region="US", timezone=timezone)
    try:
        expected: datetime | str = _datetime_before(raw, timezone)
    except ValueError as exc:
        expected = str(exc)
    try:
        got: datetime | str = norm.datetime(raw)
    except ValueError as exc:
        got = str(exc)
    assert got == expected
    if isinstance(got, datetime) and isinstance(expected, datetime):
        assert got.tzinfo == expected.tzinfo


def test_choices_are_remembered_per_import_and_bad_ones_refused_every_time() -> None:
    mapping = {"Email": "contact_email", "Type": "type", "At": "occurred_at"}
    header = list(mapping)
    first = build_extractor(ImportEntity.activities, mapping, Normalizers(phone_region="US", timezone="UTC"),
                            header=header)  # fmt: skip
    for raw, expected in (("Email Sent", "email_sent"), ("Email Sent", "email_sent"), ("open", "email_opened")):
        values, problems = first.extract(["a@example.com", raw, "2025-01-01"])
        assert (values["type"], problems) == (expected, [])
    for _ in range(2):
        values, problems = first.extract(["a@example.com", "teleport", "2025-01-01"])
        assert "type" not in values
        assert [(name, column) for name, column, _ in problems] == [("type", "Type")]
    # Another job (another org) compiles its own extractor: nothing learned above is shared with it.
    second = build_extractor(ImportEntity.activities, mapping, Normalizers(phone_region="GB", timezone="UTC"),
                             header=header)  # fmt: skip
    assert second.plain[1][3] is not first.plain[1][3]
    assert second.extract(["b@example.com", "Email Sent", "2025-01-01"])[0]["type"] == "email_sent"


def test_blank_rows_are_skipped_whatever_whitespace_they_hold() -> None:
    data = b"email,note\n , \t\n,\n\xc2\xa0,\na@example.com,\n,x\n"
    _, records = read_records(_parts(data), FileFormat.csv, encoding="utf-8", delimiter=None)
    assert [(r.number, r.cells) for r in records] == [(5, ["a@example.com", ""]), (6, ["", "x"])]
