"""Full-text ranking of chunks, one way per dialect, over ``knowledge_chunks.search_text``:

* SQLite: FTS5 external-content table ``knowledge_chunks_fts`` (Porter stemmer) kept in sync by triggers, ranked
  by ``bm25()``;
* PostgreSQL: a stored generated column ``search_vector`` = ``to_tsvector('english', search_text)`` (Snowball
  stemmer) with a GIN index, ranked by ``ts_rank_cd``. Stored, because ranking re-parses every matching text
  otherwise (1.2 s for one query at 10,000 chunks, measured).

Unlike the CRM search (every word must match as a prefix: people type parts of names), a question matches chunks
holding *any* of its content words, stemmed on both sides ("prices" finds "price" and "pricing" but "start" does
not find "starter"), ranked by how well. The ranks are fused with the vector ranks (``retrieval``), so a loose
match here costs little while an exact product name or plan code is found even when the embedding misses it.

Ranking costs time per matching row, and a word found in thousands of chunks says little about any of them. So
each query word's matches are counted first (stopping at ``MAX_RANKED``); the rarest words are kept while their
matches add up to at most ``MAX_RANKED`` rows, and the words more common than that are left to the vector side.
Small knowledge bases never reach the limit and are ranked on every word.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Boolean, String, bindparam, text
from sqlalchemy.orm import Session

from leadpilot.crm.search import normalize

TABLE = "knowledge_chunks"
FTS_TABLE = "knowledge_chunks_fts"
SEARCH_INDEX = "ix_knowledge_chunks_search"
SEARCH_COLUMN = "search_vector"
MAX_QUERY_TERMS = 12
_WORD = re.compile(r"\w+", re.UNICODE)

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further get had has have having he
    her here hers herself him himself his how i if in into is it its itself just know let many me more most
    much my myself need no nor not now of off on once only or other our ours ourselves out over own please same
    she should so some such tell than that the their theirs them themselves then there these they this those
    through to too under until up us very want was we were what when where which while who whom why will with
    would you your yours yourself yourselves
    """.split()  # noqa: SIM905 -- a word list reads better as text
)


def query_terms(query: str) -> list[str]:
    """The words of ``query`` worth matching: lower case, without stop words, at most ``MAX_QUERY_TERMS``."""
    words = _WORD.findall(query.lower())
    content = [w for w in words if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]
    chosen = content or words
    unique: list[str] = []
    for word in chosen:
        if word not in unique:
            unique.append(word)
    return unique[:MAX_QUERY_TERMS]


_SUFFIXES = ("ies", "ing", "ed", "es", "s")


def _stem(term: str) -> str:
    """A crude stem for highlighting only (the databases stem properly): "refunded" → "refund"."""
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 4 and not term.endswith("ss"):
            return term[: -len(suffix)]
    return term


def search_text(title: str, section: str | None, body: str) -> str:
    return normalize(title, section, body)


MAX_RANKED = 5_000

_FILTER_PARAMS = (
    bindparam("all_categories", type_=Boolean()),
    bindparam("categories", expanding=True, type_=String()),
    bindparam("all_documents", type_=Boolean()),
    bindparam("documents", expanding=True, type_=BigInteger()),
)
_POSTGRES_QUERY = text(
    "SELECT c.id FROM knowledge_chunks c, to_tsquery('english'::regconfig, :q) query "
    "WHERE c.org_id = :org AND c.live AND c.search_vector @@ query "
    "AND (:all_categories OR c.category IN :categories) AND (:all_documents OR c.document_id IN :documents) "
    "ORDER BY ts_rank_cd(c.search_vector, query) DESC, c.id LIMIT :limit"
).bindparams(*_FILTER_PARAMS)
_SQLITE_QUERY = text(
    "SELECT c.id FROM knowledge_chunks_fts f JOIN knowledge_chunks c ON c.id = f.rowid "
    "WHERE knowledge_chunks_fts MATCH :q AND c.org_id = :org AND c.live = 1 "
    "AND (:all_categories OR c.category IN :categories) AND (:all_documents OR c.document_id IN :documents) "
    "ORDER BY bm25(knowledge_chunks_fts), c.id LIMIT :limit"
).bindparams(*_FILTER_PARAMS)
_POSTGRES_MATCHES = text(
    "SELECT count(*) FROM (SELECT 1 FROM knowledge_chunks c WHERE c.org_id = :org AND c.live "
    "AND c.search_vector @@ to_tsquery('english'::regconfig, :q) LIMIT :cap) matched"
)
# FTS5 ranks every match of the shared index before the org filter, so its cost is counted there, without the
# join (which SQLite may drive from the chunks table, probing the full-text index once per chunk).
_SQLITE_MATCHES = text(
    "SELECT count(*) FROM (SELECT 1 FROM knowledge_chunks_fts WHERE knowledge_chunks_fts MATCH :q LIMIT :cap)"
)


class TermCounts:
    """Matches per query word, per org and knowledge version, in this process: they only change with the version, and
    the words of questions repeat, so most counts are read once per version."""

    def __init__(self, *, orgs: int = 16, terms: int = 20_000) -> None:
        self.orgs, self.terms = orgs, terms
        self._items: OrderedDict[tuple[int, str], dict[str, int]] = OrderedDict()
        self._lock = threading.Lock()

    def known(self, org_id: int, version: str) -> dict[str, int]:
        with self._lock:
            key = (org_id, version)
            counts = self._items.get(key)
            if counts is None:
                for stale in [k for k in self._items if k[0] == org_id]:
                    del self._items[stale]
                counts = self._items[key] = {}
                while len(self._items) > self.orgs:
                    self._items.popitem(last=False)
            self._items.move_to_end(key)
            return counts

    def remember(self, counts: dict[str, int], term: str, matches: int) -> None:
        with self._lock:
            if len(counts) < self.terms:
                counts[term] = matches

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


term_counts = TermCounts()


def _selective_terms(
    session: Session, org_id: int, terms: list[str], *, postgres: bool, version: str | None
) -> list[str]:
    """The rarest of ``terms`` whose matches add up to at most ``MAX_RANKED`` rows (see the module docstring)."""
    statement = _POSTGRES_MATCHES if postgres else _SQLITE_MATCHES
    known = term_counts.known(org_id, version) if version is not None else {}
    counted = []
    for term in terms:
        matches = known.get(term)
        if matches is None:
            matches = int(session.scalar(statement, {"org": org_id, "q": term if postgres else f'"{term}"',
                                                     "cap": MAX_RANKED + 1}) or 0)  # fmt: skip
            if version is not None:
                term_counts.remember(known, term, matches)
        if matches:
            counted.append((matches, term))
    chosen: list[str] = []
    total = 0
    for matches, term in sorted(counted):
        if total + matches > MAX_RANKED:
            break
        chosen.append(term)
        total += matches
    return chosen


def ranked_chunk_ids(
    session: Session,
    org_id: int,
    query: str,
    *,
    limit: int,
    categories: Sequence[str] | None = None,
    document_ids: Sequence[int] | None = None,
    version: str | None = None,
) -> list[int]:
    """Ids of the org's live chunks matching ``query``, best first. ``version`` (the org's ``knowledge_version``)
    lets the word counts be reused until the knowledge changes."""
    terms = query_terms(query)
    if not terms or (document_ids is not None and not document_ids):
        return []
    postgres = session.get_bind().dialect.name == "postgresql"
    terms = _selective_terms(session, org_id, terms, postgres=postgres, version=version)
    if not terms:
        return []
    params: dict[str, Any] = {
        "org": org_id,
        "limit": limit,
        "q": " | ".join(terms) if postgres else " OR ".join(f'"{t}"' for t in terms),
        "all_categories": not categories,
        "categories": list(categories or []),
        "all_documents": document_ids is None,
        "documents": list(document_ids or []),
    }
    return [row[0] for row in session.execute(_POSTGRES_QUERY if postgres else _SQLITE_QUERY, params)]


def highlight(body: str, query: str) -> str:
    """``body`` as HTML-escaped text with the words matching ``query`` wrapped in ``<mark>``."""
    terms = sorted({_stem(t) for t in query_terms(query)}, key=len, reverse=True)
    if not terms:
        return html.escape(body)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\w*", re.IGNORECASE | re.UNICODE)
    out: list[str] = []
    position = 0
    for match in pattern.finditer(body):
        out.append(html.escape(body[position : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        position = match.end()
    out.append(html.escape(body[position:]))
    return "".join(out)


def sqlite_ddl() -> list[str]:
    t, f = TABLE, FTS_TABLE
    return [
        f"CREATE VIRTUAL TABLE {f} USING fts5(search_text, content='{t}', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER {f}_ai AFTER INSERT ON {t} BEGIN "  # noqa: S608 -- constant names
        f"INSERT INTO {f}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER {f}_ad AFTER DELETE ON {t} BEGIN "  # noqa: S608
        f"INSERT INTO {f}({f}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
        f"CREATE TRIGGER {f}_au AFTER UPDATE OF search_text ON {t} BEGIN "  # noqa: S608
        f"INSERT INTO {f}({f}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {f}(rowid, search_text) VALUES (new.id, new.search_text); END",
    ]


def sqlite_drop_ddl() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{s}" for s in ("ai", "ad", "au")] + [
        f"DROP TABLE IF EXISTS {FTS_TABLE}"
    ]


def postgres_ddl() -> list[str]:
    return [
        f"ALTER TABLE {TABLE} ADD COLUMN {SEARCH_COLUMN} tsvector "
        "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, search_text)) STORED",
        f"CREATE INDEX {SEARCH_INDEX} ON {TABLE} USING gin ({SEARCH_COLUMN})",
    ]


def is_full_text_object(name: str | None, type_: str) -> bool:
    """True for the dialect-specific objects of migration 0005, which the ORM models do not describe."""
    if not name:
        return False
    if type_ == "table":
        return name.startswith(FTS_TABLE)
    if type_ == "column":
        return name == SEARCH_COLUMN
    return type_ == "index" and name == SEARCH_INDEX
