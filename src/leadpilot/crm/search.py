"""Full-text search over ``search_text`` columns, one way per dialect:

* SQLite: an FTS5 external-content table ``<table>_fts`` kept in sync by triggers (migrations 0002, 0003);
* PostgreSQL: a GIN index on ``to_tsvector('simple', search_text)`` (migration 0002).

Both index the same normalised text (lower-case word tokens, see ``normalize``) and match every query word as a
prefix, so "jan acm" finds "Jane Doe, Acme Corp" on either database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, func, literal_column, select, text

SEARCHABLE_TABLES = ("contacts", "companies", "leads", "deals", "activities", "notes")
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 8


def normalize(*parts: Any) -> str:
    words: list[str] = []
    for part in parts:
        if part is None:
            continue
        words.extend(_WORD.findall(str(part).lower()))
    return " ".join(words)


def query_words(query: str) -> list[str]:
    return _WORD.findall(query.lower())[:MAX_QUERY_WORDS]


def phone_search_terms(e164: str | None) -> list[str]:
    """The phone as typed in either form: +14155550123 is found by 14155550123 and 4155550123."""
    if not e164:
        return []
    digits = e164.lstrip("+")
    return [digits, digits[-10:]] if len(digits) > 10 else [digits]


def matches(model: Any, query: str, *, dialect: str) -> ColumnElement[bool] | None:
    """A WHERE clause selecting rows of ``model`` whose search text matches every word of ``query``."""
    words = query_words(query)
    if not words:
        return None
    table = model.__tablename__
    if dialect == "postgresql":
        tsquery = " & ".join(f"{w}:*" for w in words)
        return func.to_tsvector(literal_column("'simple'::regconfig"), model.search_text).op("@@")(
            func.to_tsquery(literal_column("'simple'::regconfig"), tsquery)
        )
    fts_query = " ".join(f'"{w}"*' for w in words)
    fts_rowids = (
        select(literal_column("rowid"))
        .select_from(text(f"{table}_fts"))
        .where(text(f"{table}_fts MATCH :fts_query").bindparams(fts_query=fts_query))
    )
    return model.id.in_(fts_rowids)


def sqlite_fts_ddl(tables: Iterable[str] = SEARCHABLE_TABLES, *, prefix: str | None = None) -> list[str]:
    """The FTS5 table and its sync triggers for each table. Without ``prefix`` indexes a prefix query scans a range
    of terms, which measured about as fast on 100k rows while writes index a third as many entries (migration 0003).
    """
    # Table names come from SEARCHABLE_TABLES or a module's own constant, never from input.
    prefix_option = f", prefix='{prefix}'" if prefix else ""
    statements: list[str] = []
    for t in tables:
        statements += [
            f"CREATE VIRTUAL TABLE {t}_fts USING fts5(search_text, content='{t}', content_rowid='id', "
            f"tokenize='unicode61 remove_diacritics 2'{prefix_option})",
            f"CREATE TRIGGER {t}_fts_ai AFTER INSERT ON {t} BEGIN "
            f"INSERT INTO {t}_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
            f"CREATE TRIGGER {t}_fts_ad AFTER DELETE ON {t} BEGIN "
            f"INSERT INTO {t}_fts({t}_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
            f"CREATE TRIGGER {t}_fts_au AFTER UPDATE OF search_text ON {t} BEGIN "
            f"INSERT INTO {t}_fts({t}_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
            f"INSERT INTO {t}_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
        ]
    return statements


def postgres_fts_ddl(tables: Iterable[str] = SEARCHABLE_TABLES) -> list[str]:
    return [
        f"CREATE INDEX ix_{t}_search ON {t} USING gin (to_tsvector('simple'::regconfig, search_text))" for t in tables
    ]


def is_full_text_object(name: str | None, type_: str) -> bool:
    """True for the dialect-specific objects of migrations 0002/0003 (and of the knowledge base, 0005), which the ORM
    models do not describe."""
    if not name:
        return False
    from leadpilot.knowledge import fulltext as knowledge_fulltext

    if knowledge_fulltext.is_full_text_object(name, type_):
        return True
    if type_ == "table":
        return any(name.startswith(f"{t}_fts") for t in SEARCHABLE_TABLES)
    return type_ == "index" and name in {f"ix_{t}_search" for t in SEARCHABLE_TABLES}
