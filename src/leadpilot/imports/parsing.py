"""Reading an uploaded file as a stream of records, without holding it in memory.

    bytes parts ──► encoding (UTF-8 / UTF-8 with BOM / UTF-16 with BOM / Latin-1) ──► text stream
        ├─ CSV: header row (delimiter detected from it) then one record per row
        └─ JSON: an array of objects (parsed element by element) or JSON lines (one object per line)

Row numbers are the ones a person sees: in a CSV the header is row 1 and the first data row is row 2 (blank rows
count, as in a spreadsheet); in a JSON array the first element is 1; in JSON lines the number is the line number.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import IO, Any, BinaryIO

from leadpilot.errors import PayloadTooLarge
from leadpilot.imports.errors import ImportFileInvalid
from leadpilot.imports.schemas import FileFormat

PART_SIZE = 1 << 20
_TEXT_BLOCK = 1 << 16
_DELIMITERS = (",", ";", "\t", "|")
MAX_JSON_KEYS = 500
_LOOKS_LIKE_DATA = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$|^[+\-]?[\d.,\s()/:-]+$")

csv.field_size_limit(16 * 1024 * 1024)


@dataclass(slots=True)
class Record:
    """One row of the file: ``cells`` is a list (CSV, in header order) or a dict (JSON); ``problem`` says why a
    row could not be read at all."""

    number: int
    cells: list[str] | dict[str, Any]
    problem: str | None = None


@dataclass(slots=True)
class Scan:
    """What a first pass over the upload learned: columns in file order, rows, and how to read the text."""

    columns: list[str]
    total_rows: int
    encoding: str
    delimiter: str | None = None
    json_layout: str | None = None  # array | lines
    sample: list[dict[str, Any]] = field(default_factory=list)


def upload_parts(content: bytes | BinaryIO, *, max_bytes: int) -> Iterator[bytes]:
    """The upload in parts of ``PART_SIZE`` bytes; raises PayloadTooLarge past ``max_bytes``."""
    size = 0
    if isinstance(content, bytes | bytearray | memoryview):
        view = memoryview(content)
        if len(view) > max_bytes:
            raise PayloadTooLarge(f"The file is larger than the limit of {max_bytes} bytes")
        for start in range(0, len(view), PART_SIZE):
            yield bytes(view[start : start + PART_SIZE])
        return
    while True:
        part = content.read(PART_SIZE)
        if not part:
            return
        size += len(part)
        if size > max_bytes:
            raise PayloadTooLarge(f"The file is larger than the limit of {max_bytes} bytes")
        yield part


def detect_encoding(parts: Iterable[bytes]) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, UTF-16 when it starts with its BOM,
    otherwise Latin-1 (which reads any byte)."""
    iterator = iter(parts)
    head = b""
    while len(head) < 4 and (part := next(iterator, None)) is not None:
        head += part
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head)
        for part in iterator:
            decoder.decode(part)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


class _PartsReader(io.RawIOBase):
    def __init__(self, parts: Iterable[bytes]) -> None:
        self._parts = iter(parts)
        self._current = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._current:
            part = next(self._parts, None)
            if part is None:
                return 0
            self._current = memoryview(part)
        size = min(len(buffer), len(self._current))
        buffer[:size] = self._current[:size]
        self._current = self._current[size:]
        return size


def open_text(parts: Iterable[bytes], encoding: str) -> IO[str]:
    """A text stream over the parts; newlines are kept as they are (the csv module needs that)."""
    raw = io.BufferedReader(_PartsReader(parts), buffer_size=_TEXT_BLOCK)
    return io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")


def _detect_delimiter(line: str) -> str:
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_header(header: list[str]) -> list[str]:
    names = [cell.strip() for cell in header]
    if not any(names):
        raise ImportFileInvalid("The first row must be a header naming the columns; it is empty")
    data_like = [n for n in names if n and _LOOKS_LIKE_DATA.match(n)]
    if data_like:
        raise ImportFileInvalid(
            f"The first row must be a header naming the columns; it looks like data ({data_like[0]!r})"
        )
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise ImportFileInvalid(f"The column {name!r} appears more than once in the header; rename one of them")
        seen.add(name)
    return names


class CsvReader:
    """Reads the header on construction; ``records()`` then yields the data rows."""

    def __init__(self, text: IO[str], *, delimiter: str | None) -> None:
        first_line = text.readline()
        if not first_line.strip():
            raise ImportFileInvalid("The file is empty or its first row is blank; it must start with a header row")
        self.delimiter = delimiter or _detect_delimiter(first_line)
        # itertools.chain rather than a generator: the csv reader pulls every line of the file through it.
        self._reader = csv.reader(chain((first_line,), text), delimiter=self.delimiter)
        try:
            self.header = _check_header(next(self._reader))
        except csv.Error as exc:
            raise ImportFileInvalid(f"The header row is not valid CSV: {exc}") from exc

    def records(self, *, skip: int = 0) -> Iterator[Record]:
        """Data rows (blank rows skipped, but counted in row numbers); ``skip`` leaves out that many records."""
        width = len(self.header)
        number = 1
        try:
            for cells in self._reader:
                number += 1
                # A row is blank when no cell holds more than whitespace (one join instead of a generator per row).
                if not cells or not "".join(cells).strip():
                    continue
                if skip:
                    skip -= 1
                    continue
                if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                    yield Record(number, cells, f"the row has {len(cells)} values but the header names {width} columns")
                    continue
                yield Record(number, cells)
        except csv.Error as exc:
            raise ImportFileInvalid(f"Row {number + 1} is not valid CSV: {exc}") from exc


def _chain_first(first: str, rest: IO[str]) -> Iterator[str]:
    yield first
    yield from rest


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _json_array(text: IO[str]) -> Iterator[Record]:
    """Elements of a JSON array, parsed one at a time from blocks of text (the opening '[' already read)."""
    decoder = json.JSONDecoder()
    buffer = text.read(_TEXT_BLOCK)
    eof = not buffer
    pos = 0
    index = 0
    after_value = False
    while True:
        pos = _skip_space(buffer, pos)
        if pos >= len(buffer):
            if eof:
                raise ImportFileInvalid("The JSON array is not closed (missing ']')")
            more = text.read(_TEXT_BLOCK)
            eof = not more
            buffer, pos = more, 0
            continue
        char = buffer[pos]
        if char == "]" and (after_value or index == 0):
            if buffer[pos + 1 :].strip() or text.read().strip():
                raise ImportFileInvalid("Unexpected text after the JSON array")
            return
        if after_value:
            if char != ",":
                raise ImportFileInvalid(f"Invalid JSON after element {index}: expected ',' or ']'")
            pos += 1
            after_value = False
            continue
        try:
            value, end = decoder.raw_decode(buffer, pos)
        except json.JSONDecodeError as exc:
            if eof:
                raise ImportFileInvalid(f"Invalid JSON in element {index + 1}: {exc.msg}") from exc
            more = text.read(_TEXT_BLOCK)
            eof = not more
            buffer, pos = buffer[pos:] + more, 0
            continue
        if end >= len(buffer) and not eof and not isinstance(value, dict | list | str):
            # A number or literal that ends exactly at the block boundary may continue in the next block.
            more = text.read(_TEXT_BLOCK)
            eof = not more
            buffer, pos = buffer[pos:] + more, 0
            continue
        index += 1
        if not isinstance(value, dict):
            raise ImportFileInvalid(f"Element {index} of the JSON array is not an object")
        yield Record(index, value)
        pos = end
        after_value = True


def _json_lines(lines: Iterable[str], *, first_number: int) -> Iterator[Record]:
    for number, line in enumerate(lines, start=first_number):
        stripped = line.strip()
        if not stripped:
            continue
        try:
            value = json.loads(stripped)
        except json.JSONDecodeError as exc:
            yield Record(number, {}, f"invalid JSON on this line: {exc.msg}")
            continue
        if not isinstance(value, dict):
            yield Record(number, {}, "this line is not a JSON object")
            continue
        yield Record(number, value)


def _json_stream(text: IO[str]) -> tuple[str, Iterator[Record]]:
    """The layout ('array' when the first character is '[', 'lines' when it is '{') and the records."""
    skipped = ""
    while True:
        char = text.read(1)
        if not char:
            raise ImportFileInvalid("The file is empty")
        if not char.isspace():
            break
        skipped += char
    if char == "[":
        return "array", _json_array(text)
    if char == "{":
        first_line = char + text.readline()
        return "lines", _json_lines(_chain_first(first_line, text), first_number=1 + skipped.count("\n"))
    raise ImportFileInvalid("A JSON file must hold an array of objects or one object per line")


def json_records(text: IO[str], *, skip: int = 0) -> Iterator[Record]:
    _, records = _json_stream(text)
    for record in records:
        if skip:
            skip -= 1
            continue
        yield record


def scan(parts_factory: Any, file_format: FileFormat, *, encoding: str | None, delimiter: str | None) -> Scan:
    """Read the whole upload once: check it, count its records and list its columns.

    ``parts_factory()`` returns a fresh iterator over the file's bytes (the file is read twice: once to pick the
    encoding, once to parse)."""
    chosen = encoding or detect_encoding(parts_factory())
    text = open_text(parts_factory(), chosen)
    try:
        if file_format == FileFormat.csv:
            reader = CsvReader(text, delimiter=delimiter)
            total = 0
            sample: list[dict[str, Any]] = []
            for record in reader.records():
                total += 1
                if len(sample) < 5 and isinstance(record.cells, list):
                    sample.append(dict(zip(reader.header, record.cells, strict=False)))
            return Scan(reader.header, total, chosen, delimiter=reader.delimiter, sample=sample)
        layout, records = _json_stream(text)
        keys: dict[str, None] = {}
        total = 0
        sample = []
        for record in records:
            total += 1
            if isinstance(record.cells, dict):
                keys.update(dict.fromkeys(record.cells))
                if len(sample) < 5 and not record.problem:
                    sample.append(record.cells)
            if len(keys) > MAX_JSON_KEYS:
                raise ImportFileInvalid(f"The objects use more than {MAX_JSON_KEYS} different keys")
        if total == 0:
            raise ImportFileInvalid("The file holds no records")
        return Scan(list(keys), total, chosen, json_layout=layout, sample=sample)
    except UnicodeDecodeError as exc:
        raise ImportFileInvalid(f"The file is not valid {chosen} text: {exc.reason}") from exc


def read_records(
    parts: Iterable[bytes], file_format: FileFormat, *, encoding: str, delimiter: str | None, skip: int = 0
) -> tuple[list[str] | None, Iterator[Record]]:
    """The header (CSV) and the records of a file, leaving out the first ``skip`` records (a resumed job)."""
    text = open_text(parts, encoding)
    if file_format == FileFormat.csv:
        reader = CsvReader(text, delimiter=delimiter)
        return reader.header, reader.records(skip=skip)
    return None, json_records(text, skip=skip)
