"""Uploaded files → a flat list of structural blocks (headings, paragraphs, list items, table rows, Q/A pairs).

    parse_document(filename, content)
     ├ detect_format: the extension says what the file claims to be, the first bytes must agree
     │                (a renamed .exe is refused as a PDF, a PDF renamed .txt as text)
     └ one reader per format: pypdf (PDF), python-docx (DOCX), the stdlib HTML parser, a small Markdown
       reader (headings, lists, pipe tables, fences), plain text, CSV (an FAQ with question/answer columns,
       or a table — e.g. a price list — whose every row becomes one self-describing block)

Everything that goes wrong becomes ``KnowledgeFileInvalid`` (400) or ``KnowledgeFileUnsupported`` (415) with a
message a user can act on; nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import PurePath

from leadpilot.knowledge.errors import KnowledgeFileInvalid, KnowledgeFileUnsupported

FORMATS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".text": "txt",
    ".csv": "csv",
}
FORMAT_NAMES = {"pdf": "PDF", "docx": "DOCX", "html": "HTML", "md": "Markdown", "txt": "text", "csv": "CSV"}
SUPPORTED = "PDF, DOCX, HTML, Markdown (.md), TXT or CSV"

# First bytes of formats that are never text; a text upload starting with one of them was renamed.
_BINARY_SIGNATURES = {
    b"MZ": "a Windows executable",
    b"\x7fELF": "an executable",
    b"%PDF-": "a PDF",
    b"PK\x03\x04": "a ZIP archive (or an Office file)",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\xd0\xcf\x11\xe0": "a legacy Office file (.doc/.xls)",
    b"\x1f\x8b": "a gzip archive",
}
WORDS_PER_PAGE = 500  # formats without pages count one page per this many words (progress, benchmarks)

_BULLET = re.compile(r"^\s*(?:[-*+\u2022\u25cf\u25aa\u2023\u25e6\u2013]|\d{1,3}[.)]|[a-z][.)])\s+(\S.*)$")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_SPACES = re.compile(r"\s+")

log = logging.getLogger("leadpilot.knowledge")


@dataclass(frozen=True, slots=True)
class Block:
    """One structural unit. ``text`` of a ``table_row`` already carries its column names ("Plan: Growth | ...")."""

    kind: str  # heading | paragraph | list_item | table_row | faq | code
    text: str
    level: int = 0  # headings: 1 (top) .. 6
    page: int | None = None
    section: str | None = None  # set by readers that know the section better than the heading path (CSV)


@dataclass(slots=True)
class ParsedDocument:
    file_format: str
    blocks: list[Block] = field(default_factory=list)
    pages: int = 1

    @property
    def words(self) -> int:
        return sum(len(b.text.split()) for b in self.blocks)


def detect_format(filename: str, content: bytes) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    file_format = FORMATS.get(suffix)
    if file_format is None:
        described = f"{suffix} files" if suffix else "Files without an extension"
        raise KnowledgeFileUnsupported(f"{described} are not supported: upload {SUPPORTED}")
    if not content.strip():
        raise KnowledgeFileInvalid(f"{filename} is empty")
    if file_format == "pdf":
        if b"%PDF-" not in content[:1024]:
            raise KnowledgeFileInvalid(f"{filename} is not a PDF: its content does not start like one{_seems(content)}")
    elif file_format == "docx":
        if not content.startswith(b"PK\x03\x04"):
            raise KnowledgeFileInvalid(f"{filename} is not a DOCX (Word) file{_seems(content)}")
    else:
        for signature, what in _BINARY_SIGNATURES.items():
            if content.startswith(signature):
                raise KnowledgeFileInvalid(f"{filename} is {what}, not {FORMAT_NAMES[file_format]} text")
        if b"\x00" in content[:8192] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise KnowledgeFileInvalid(f"{filename} looks like a binary file, not {FORMAT_NAMES[file_format]} text")
    return file_format


def _seems(content: bytes) -> str:
    for signature, what in _BINARY_SIGNATURES.items():
        if content.startswith(signature):
            return f" (it looks like {what})"
    return ""


def parse_document(filename: str, content: bytes) -> ParsedDocument:
    """Read ``content`` as the format its name claims; raise a 4xx error if it cannot be read or holds no text."""
    file_format = detect_format(filename, content)
    readers = {"pdf": _read_pdf, "docx": _read_docx, "html": _read_html, "md": _read_markdown, "txt": _read_text,
               "csv": _read_csv}  # fmt: skip
    try:
        parsed = readers[file_format](content, filename)
    except (KnowledgeFileInvalid, KnowledgeFileUnsupported):
        raise
    except Exception as exc:  # the readers of third-party formats raise many kinds of errors on corrupt input
        log.info("knowledge file unreadable", extra={"file_format": file_format, "error": repr(exc)[:300]})
        raise KnowledgeFileInvalid(
            f"{filename} could not be read as {FORMAT_NAMES[file_format]}: the file is damaged or not what its "
            f"name says ({type(exc).__name__})"
        ) from exc
    parsed.blocks = [b for b in parsed.blocks if b.text.strip()]
    if not any(b.kind != "heading" for b in parsed.blocks):
        hint = " (a scanned PDF needs text recognition first)" if file_format == "pdf" else ""
        raise KnowledgeFileInvalid(f"{filename} contains no text to index{hint}")
    if file_format not in {"pdf"}:
        parsed.pages = max(1, -(-parsed.words // WORDS_PER_PAGE))
    return parsed


def decode_text(content: bytes, filename: str) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise KnowledgeFileInvalid(f"{filename} is not valid UTF-16 text") from exc
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheet exports on Windows are often cp1252; anything else that is text decodes as UTF-8.
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise KnowledgeFileInvalid(f"{filename} is not UTF-8 text") from exc
    controls = sum(1 for ch in text[:10000] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > max(5, len(text[:10000]) // 100):
        raise KnowledgeFileInvalid(f"{filename} looks like a binary file, not text")
    return text


def clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# -- plain text and PDF ------------------------------------------------------------------------------------------


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    if not words or len(line) > 70 or len(words) > 9:
        return False
    if line[-1] in ".,;!?" or not line[0].isupper():
        return False
    if sum(ch.isalpha() for ch in line) < len(line.replace(" ", "")) * 0.6:
        return False  # prices, dates, codes
    capitalised = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    return line.isupper() or len(words) <= 4 or capitalised >= len(words) * 0.6


def _text_blocks(text: str, *, page: int | None = None, detect_headings: bool = True) -> Iterator[Block]:
    """Paragraphs (blank-line separated, wrapped lines joined), bullet items and short title-like lines."""
    paragraph: list[str] = []
    item: list[str] | None = None

    def flush() -> Iterator[Block]:
        nonlocal item
        if item is not None:
            yield Block("list_item", clean(" ".join(item)), page=page)
            item = None
        if paragraph:
            joined = " ".join(paragraph)
            paragraph.clear()
            yield Block("paragraph", clean(joined), page=page)

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for index, raw in enumerate(lines):
        line = raw.strip()
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if not line:
            yield from flush()
            continue
        if _SETEXT.match(line) and (paragraph or item is not None):
            # "Title\n=====": the line before was a heading, not a paragraph
            heading = " ".join(paragraph) if paragraph else ""
            paragraph.clear()
            if heading:
                yield Block("heading", clean(heading), level=1 if line.startswith("=") else 2, page=page)
            continue
        bullet = _BULLET.match(raw)
        if bullet:
            yield from flush()
            item = [bullet.group(1)]
            continue
        if item is not None and raw[:1].isspace():
            item.append(line)
            continue
        if (
            detect_headings
            and not paragraph
            and _looks_like_heading(line)
            and not _SETEXT.match(following)
            and any(rest.strip() for rest in lines[index + 1 : index + 4])  # a heading introduces something
        ):
            yield from flush()
            yield Block("heading", line, level=1 if line.isupper() and len(line) > 3 else 2, page=page)
            continue
        if item is not None:
            yield from flush()
        if paragraph and paragraph[-1].endswith("-") and line[:1].islower():
            paragraph[-1] = paragraph[-1][:-1] + line  # a word hyphenated across lines
        else:
            paragraph.append(line)
    yield from flush()


def _read_text(content: bytes, filename: str) -> ParsedDocument:
    return ParsedDocument("txt", list(_text_blocks(decode_text(content, filename))))


def _read_pdf(content: bytes, filename: str) -> ParsedDocument:
    import pypdf
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # recoverable damage is reported per file, not per object
    try:
        reader = pypdf.PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise KnowledgeFileInvalid(f"{filename} is password-protected: upload an unprotected copy")
        pages = list(reader.pages)
    except PdfReadError as exc:
        raise KnowledgeFileInvalid(f"{filename} is a damaged PDF: {exc}") from exc
    if not pages:
        raise KnowledgeFileInvalid(f"{filename} has no pages")
    blocks: list[Block] = []
    for number, page in enumerate(pages, start=1):
        blocks.extend(_text_blocks(page.extract_text() or "", page=number))
    return ParsedDocument("pdf", blocks, pages=len(pages))


# -- DOCX ----------------------------------------------------------------------------------------------------------


def _read_docx(content: bytes, filename: str) -> ParsedDocument:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise KnowledgeFileInvalid(f"{filename} is a ZIP archive but not a Word document")
    except zipfile.BadZipFile as exc:
        raise KnowledgeFileInvalid(f"{filename} is a damaged DOCX file") from exc
    document = docx.Document(io.BytesIO(content))
    blocks: list[Block] = []
    for part in document.iter_inner_content():
        if isinstance(part, Paragraph):
            text = clean(part.text)
            if not text:
                continue
            style = (part.style.name if part.style is not None else "") or ""
            level = _docx_heading_level(style)
            numbered = part._p.pPr is not None and part._p.pPr.numPr is not None
            if level:
                blocks.append(Block("heading", text, level=level))
            elif numbered or style.lower().startswith("list"):
                blocks.append(Block("list_item", text))
            else:
                blocks.append(Block("paragraph", text))
        elif isinstance(part, Table):
            rows = [[clean(cell.text) for cell in row.cells] for row in part.rows]
            blocks.extend(_table_blocks(rows))
    return ParsedDocument("docx", blocks)


def _docx_heading_level(style: str) -> int:
    if style == "Title":
        return 1
    match = re.match(r"Heading (\d)", style)
    return int(match.group(1)) if match else 0


# -- tables (shared by DOCX, HTML, Markdown) ----------------------------------------------------------------------


def row_text(header: list[str], cells: list[str]) -> str:
    """A row that still says what each value is: "Plan: Growth | Price: $49 per user per month"."""
    parts = []
    for index, value in enumerate(cells):
        if not value:
            continue
        name = header[index] if index < len(header) else ""
        parts.append(f"{name}: {value}" if name and name != value else value)
    return " | ".join(parts)


def _dedupe_cells(cells: list[str]) -> list[str]:
    # Merged cells are repeated by python-docx once per grid column.
    out: list[str] = []
    for cell in cells:
        if not out or cell != out[-1] or not cell:
            out.append(cell)
    return out


def _table_blocks(rows: list[list[str]], *, header_row: bool = True, page: int | None = None) -> list[Block]:
    rows = [_dedupe_cells(r) for r in rows if any(c.strip() for c in r)]
    if not rows:
        return []
    if len(rows) == 1:
        return [Block("paragraph", " | ".join(c for c in rows[0] if c), page=page)]
    header = rows[0] if header_row else []
    body = rows[1:] if header_row else rows
    return [Block("table_row", text, page=page) for r in body if (text := row_text(header, r))]


# -- HTML ----------------------------------------------------------------------------------------------------------


@dataclass
class _HtmlTable:
    rows: list[list[str]] = field(default_factory=list)
    row: list[str] | None = None
    cell: list[str] | None = None
    has_th: bool = False


class _HtmlReader(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "svg", "nav", "head", "button", "form", "select"}
    _BREAKS = {"p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre", "br",
               "hr", "dt", "dd", "figure", "figcaption", "address", "details", "summary"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._skip_depth = 0
        self._text: list[str] = []
        self._heading: int = 0
        self._item_depth = 0
        self._tables: list[_HtmlTable] = []

    def _flush(self, kind: str = "paragraph", level: int = 0) -> None:
        text = clean("".join(self._text))
        self._text = []
        if text:
            self.blocks.append(Block(kind, text, level=level))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_depth or tag in self._SKIP:
            if tag in self._SKIP:
                self._skip_depth += 1
            return
        if self._tables and tag in {"td", "th"}:
            table = self._tables[-1]
            table.cell = []
            table.has_th = table.has_th or tag == "th"
            return
        if self._tables and tag == "tr":
            self._tables[-1].row = []
            return
        if tag == "table":
            self._flush_pending()
            self._tables.append(_HtmlTable())
            return
        if re.fullmatch(r"h[1-6]", tag):
            self._flush_pending()
            self._heading = int(tag[1])
        elif tag == "li":
            self._flush_pending()
            self._item_depth += 1
        elif tag in self._BREAKS:
            if tag == "br":
                self._text.append(" ")
            else:
                self._flush_pending()

    def _flush_pending(self) -> None:
        if self._tables:
            return
        if self._item_depth:
            self._flush("list_item")
        else:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if self._skip_depth:
            if tag in self._SKIP:
                self._skip_depth -= 1
            return
        if self._tables:
            table = self._tables[-1]
            if tag in {"td", "th"} and table.cell is not None and table.row is not None:
                table.row.append(clean("".join(table.cell)))
                table.cell = None
                return
            if tag == "tr" and table.row is not None:
                table.rows.append(table.row)
                table.row = None
                return
            if tag == "table":
                self._tables.pop()
                self.blocks.extend(_table_blocks(table.rows, header_row=table.has_th or len(table.rows) > 1))
            return
        if re.fullmatch(r"h[1-6]", tag) and self._heading:
            self._flush("heading", level=self._heading)
            self._heading = 0
        elif tag == "li":
            self._flush("list_item")
            self._item_depth = max(0, self._item_depth - 1)
        elif tag in self._BREAKS and tag != "br":
            self._flush_pending()

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._tables:
            cell = self._tables[-1].cell
            if cell is not None:
                cell.append(data)
            return
        self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush_pending()


def _read_html(content: bytes, filename: str) -> ParsedDocument:
    reader = _HtmlReader()
    reader.feed(decode_text(content, filename))
    reader.close()
    return ParsedDocument("html", reader.blocks)


# -- Markdown ------------------------------------------------------------------------------------------------------

_MD_INLINE = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"<[^>]+>"), ""),
]


def _md_inline(text: str) -> str:
    for pattern, replacement in _MD_INLINE:
        text = pattern.sub(replacement, text)
    return text


def _md_cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return [clean(_md_inline(c)) for c in stripped.split("|")]


def _read_markdown(content: bytes, filename: str) -> ParsedDocument:
    lines = decode_text(content, filename).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    prose: list[str] = []

    def flush_prose() -> None:
        if prose:
            text = "\n".join(prose)
            prose.clear()
            blocks.extend(
                Block(b.kind, _md_inline(b.text), level=b.level) for b in _text_blocks(text, detect_headings=False)
            )

    index = 0
    while index < len(lines):
        line = lines[index]
        if _MD_FENCE.match(line):
            flush_prose()
            fence = line.strip()[:3]
            code: list[str] = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith(fence):
                code.append(lines[index])
                index += 1
            index += 1
            if any(c.strip() for c in code):
                blocks.append(Block("code", "\n".join(code).strip()))
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            flush_prose()
            blocks.append(Block("heading", clean(_md_inline(heading.group(2))), level=len(heading.group(1))))
            index += 1
            continue
        if "|" in line and index + 1 < len(lines) and _MD_TABLE_SEPARATOR.match(lines[index + 1]):
            flush_prose()
            rows = [_md_cells(line)]
            index += 2
            while index < len(lines) and "|" in lines[index] and lines[index].strip():
                rows.append(_md_cells(lines[index]))
                index += 1
            blocks.extend(_table_blocks(rows))
            continue
        prose.append(line)
        index += 1
    flush_prose()
    return ParsedDocument("md", blocks)


# -- CSV -----------------------------------------------------------------------------------------------------------

QUESTION_COLUMNS = {"question", "questions", "q", "faq", "query"}
ANSWER_COLUMNS = {"answer", "answers", "a", "response", "reply"}
SECTION_COLUMNS = {"category", "topic", "section", "group"}


def _csv_rows(text: str) -> list[list[str]]:
    sample = text[:20000]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return [[c.strip() for c in row] for row in reader if any(c.strip() for c in row)]


def _read_csv(content: bytes, filename: str) -> ParsedDocument:
    try:
        rows = _csv_rows(decode_text(content, filename))
    except csv.Error as exc:
        raise KnowledgeFileInvalid(f"{filename} is not valid CSV: {exc}") from exc
    if len(rows) < 2:
        raise KnowledgeFileInvalid(f"{filename} needs a header row and at least one data row")
    header = rows[0]
    names = [h.strip().lower() for h in header]
    question = next((i for i, n in enumerate(names) if n in QUESTION_COLUMNS), None)
    answer = next((i for i, n in enumerate(names) if n in ANSWER_COLUMNS), None)
    section_column = next((i for i, n in enumerate(names) if n in SECTION_COLUMNS), None)
    blocks: list[Block] = []
    for row in rows[1:]:
        section = _cell(row, section_column) or None
        if question is not None and answer is not None:
            q, a = _cell(row, question), _cell(row, answer)
            if not q and not a:
                continue
            extra = row_text(header, [c if i not in {question, answer, section_column} else ""
                                      for i, c in enumerate(row)])  # fmt: skip
            text = f"Q: {q}\nA: {a}" + (f"\n{extra}" if extra else "")
            blocks.append(Block("faq", text, section=section))
        else:
            text = row_text(header, row)
            if text:
                blocks.append(Block("table_row", text, section=section))
    return ParsedDocument("csv", blocks)


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def iter_formats() -> Iterable[str]:
    return sorted(set(FORMATS.values()))
