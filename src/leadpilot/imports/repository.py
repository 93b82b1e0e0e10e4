"""Every query of the import domain.

* ``ImportJobRepository`` — the caller's own jobs and error reports (tenant-scoped, same 404 for foreign ids);
* ``ImportJobStore`` — a job by id, for the worker that runs it (the job row carries its org);
* ``RecordStore`` — one org's CRM rows as the importer needs them: identity look-ups for a chunk of rows and
  Core bulk inserts and updates (executemany), never one statement per row.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    String,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from leadpilot.crm.models import Activity, Company, Contact, ContactIdentity, Deal, Lead, Product
from leadpilot.db.repository import OrgRepository
from leadpilot.imports.errors import ImportNotFound
from leadpilot.imports.models import ImportJob, ImportJobPart, ImportRowError
from leadpilot.orgs.models import Org, User

_IN_BATCH = 5000
_UNSET = object()
BULK_CACHE_KIB = 64 * 1024
SQLITE_ROWS_PER_STATEMENT = 1024


def _batches(values: Iterable[Any], size: int = _IN_BATCH) -> Iterator[list[Any]]:
    iterator = iter(values)
    while batch := list(islice(iterator, size)):
        yield batch


def _processed(values: list[Any], process: Callable[[Any], Any]) -> list[Any]:
    """``process`` applied to every value but None; a run of the same object is processed once (bind processors
    are pure, and the rows of one statement are not changed while it is prepared)."""
    out: list[Any] = []
    last: Any = _UNSET
    result: Any = None
    for value in values:
        if value is None:
            out.append(None)
        elif value is last:
            out.append(result)
        else:
            last = value
            result = process(value)
            out.append(result)
    return out


_INT_RANGES = {"int4": (-(2**31), 2**31 - 1), "int8": (-(2**63), 2**63 - 1)}
# Column type (as PostgreSQL names it, without length or precision) -> (psycopg type, the Python types its binary
# dumper takes). Values of any other type, or a column of another type, keep the text format.
_BINARY_COPY: dict[str, tuple[str, tuple[type, ...]]] = {
    "bigint": ("int8", (int,)),
    "integer": ("int4", (int,)),
    "boolean": ("bool", (bool,)),
    "text": ("text", (str,)),
    "varchar": ("varchar", (str,)),
    "numeric": ("numeric", (Decimal,)),
    "timestamp with time zone": ("timestamptz", (datetime,)),
    "date": ("date", (date,)),
    "json": ("json", (Json,)),
}


def _binary_copy_types(dialect: Any, columns: list[Any], rows: list[tuple[Any, ...]]) -> list[str] | None:
    """The types to COPY ``rows`` in PostgreSQL's binary format, or None to use the text format.

    Binary rows cost the client a third of the CPU of text rows (psycopg packs them in C without formatting every
    value as text) and spare the server parsing timestamps and numbers. In that format psycopg dumps each value as
    its column's type, so it is used only when every value is exactly of the Python type that dumper takes (an
    aware datetime, an int in range); anything else keeps the text format, which converts as an INSERT would."""
    types = []
    for index, column in enumerate(columns):
        compiled = dialect.type_compiler_instance.process(column.type).split("(")[0].strip().lower()
        if compiled not in _BINARY_COPY:
            return None
        name, accepted = _BINARY_COPY[compiled]
        low, high = _INT_RANGES.get(name, (None, None))
        for row in rows:
            value = row[index]
            if value is None:
                continue
            if type(value) not in accepted:
                return None
            if low is not None and not low <= value <= high:
                return None
            if name == "timestamptz" and value.tzinfo is None:
                return None
        types.append(name)
    return types


class ImportJobRepository(OrgRepository[ImportJob]):
    model = ImportJob
    not_found = ImportNotFound

    def list_recent(self, limit: int) -> list[ImportJob]:
        statement = self.select().order_by(ImportJob.created_at.desc(), ImportJob.id.desc()).limit(limit)
        return list(self.session.scalars(statement))

    def errors(self, job_id: int, *, limit: int, offset: int) -> list[ImportRowError]:
        statement = (
            select(ImportRowError)
            .where(ImportRowError.org_id == self.org_id, ImportRowError.import_job_id == job_id)
            .order_by(ImportRowError.row_number, ImportRowError.id)
            .limit(limit)
            .offset(offset)
        )
        return list(self.session.scalars(statement))

    def count_errors(self, job_id: int) -> int:
        statement = select(func.count()).where(
            ImportRowError.org_id == self.org_id, ImportRowError.import_job_id == job_id
        )
        return int(self.session.scalar(statement) or 0)

    def iter_errors(self, job_id: int) -> Iterator[ImportRowError]:
        statement = (
            select(ImportRowError)
            .where(ImportRowError.org_id == self.org_id, ImportRowError.import_job_id == job_id)
            .order_by(ImportRowError.row_number, ImportRowError.id)
            .execution_options(yield_per=1000)
        )
        yield from self.session.scalars(statement)

    def add_part(self, job_id: int, seq: int, data: bytes) -> None:
        self.session.execute(
            insert(ImportJobPart), [{"org_id": self.org_id, "import_job_id": job_id, "seq": seq, "data": data}]
        )


class ImportJobStore:
    """Jobs by id, for the worker. Tasks take ids; the job's own ``org_id`` scopes everything it writes."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, job_id: int) -> ImportJob | None:
        return self.session.get(ImportJob, job_id)

    def org(self, org_id: int) -> Org | None:
        return self.session.get(Org, org_id)

    def claim(self, job_id: int, *, now: datetime) -> bool:
        """Move a queued job to running; False when it is not queued (done, failed or taken by another worker)."""
        result = self.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id, ImportJob.status == "queued")
            .values(status="running", started_at=func.coalesce(ImportJob.started_at, now), failure=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def requeue(
        self, job_id: int, *, statuses: Sequence[str], now: datetime, stale_before: datetime | None = None
    ) -> bool:
        """Put a failed (or stale running) job back in the queue; it resumes after the rows already processed."""
        condition: ColumnElement[bool] = ImportJob.status.in_(statuses)
        if stale_before is not None:
            condition = and_(condition, ImportJob.updated_at < stale_before)
        result = self.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id, condition)
            .values(status="queued", failure=None, finished_at=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def stale_jobs(self, *, queued_before: datetime, running_before: datetime) -> list[tuple[int, str]]:
        statement = select(ImportJob.id, ImportJob.status).where(
            or_(
                and_(ImportJob.status == "queued", ImportJob.updated_at < queued_before),
                and_(ImportJob.status == "running", ImportJob.updated_at < running_before),
            )
        )
        return [(row.id, row.status) for row in self.session.execute(statement)]

    def part(self, job_id: int, seq: int) -> bytes | None:
        return self.session.scalar(
            select(ImportJobPart.data).where(ImportJobPart.import_job_id == job_id, ImportJobPart.seq == seq)
        )

    def advance(
        self, job_id: int, *, processed: int, created: int, updated: int, unchanged: int, errors: int, now: datetime
    ) -> None:
        self.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(
                processed_rows=ImportJob.processed_rows + processed,
                created_count=ImportJob.created_count + created,
                updated_count=ImportJob.updated_count + updated,
                unchanged_count=ImportJob.unchanged_count + unchanged,
                error_count=ImportJob.error_count + errors,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )

    def add_errors(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(ImportRowError), rows)

    def stored_errors(self, job_id: int) -> int:
        return int(self.session.scalar(select(func.count()).where(ImportRowError.import_job_id == job_id)) or 0)

    def finish(self, job_id: int, *, status: str, now: datetime, failure: str | None = None) -> None:
        values: dict[str, Any] = {"status": status, "failure": failure, "finished_at": now, "updated_at": now}
        if status == "completed":
            values["total_rows"] = ImportJob.processed_rows
        self.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def delete_parts(self, job_id: int) -> None:
        self.session.execute(delete(ImportJobPart).where(ImportJobPart.import_job_id == job_id))


_CONTACT_COLUMNS = (
    Contact.id,
    Contact.first_name,
    Contact.last_name,
    Contact.email,
    Contact.phone,
    Contact.title,
    Contact.seniority,
    Contact.department,
    Contact.company_id,
    Contact.owner_id,
    Contact.timezone,
    Contact.language,
    Contact.country,
    Contact.city,
    Contact.lifecycle_stage,
    Contact.source,
    Contact.consent,
    Contact.opted_out,
    Contact.external_id,
    Contact.custom_fields,
    Contact.search_text,
)


def _columns(model: Any, *, skip: tuple[str, ...] = ()) -> list[Any]:
    table: Table = model.__table__
    return [column for column in table.columns if column.name not in skip]


class RecordStore:
    """One org's CRM rows, read and written in bulk."""

    def __init__(self, session: Session, org_id: int) -> None:
        self.session = session
        self.org_id = org_id
        self._postgres = session.get_bind().dialect.name == "postgresql"

    def _in(self, column: Any, values: list[Any]) -> ColumnElement[bool]:
        """``column IN values``. On PostgreSQL as ``IN (SELECT unnest(array))``: one parameter instead of
        thousands, and a plan that probes the index per value even when the statement is prepared (psycopg
        prepares repeated statements) and the table, growing under a bulk load, has no statistics yet — an
        ``IN (...)`` list or ``= ANY(array)`` then becomes a filter over every row of the org."""
        if self._postgres:
            element_type = String() if isinstance(column.type, NullType) else column.type
            return column.in_(select(func.unnest(bindparam(None, values, type_=postgresql.ARRAY(element_type)))))
        return column.in_(values)

    def analyze(self, models: Iterable[Any]) -> None:
        """Refresh the planner's statistics after a bulk load (PostgreSQL; SQLite plans without them)."""
        if self._postgres:
            for model in models:
                self.session.execute(text(f"ANALYZE {model.__table__.name}"))

    @contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """On SQLite, a larger page cache while a chunk is written: random inserts into the indexes of a big table
        otherwise evict and re-read the same pages. The connection gets its usual cache back afterwards."""
        if self.session.get_bind().dialect.name != "sqlite":
            yield
            return
        previous = self.session.scalar(text("PRAGMA cache_size"))
        self.session.execute(text(f"PRAGMA cache_size = {-BULK_CACHE_KIB}"))
        try:
            yield
        finally:
            self.session.execute(text(f"PRAGMA cache_size = {int(previous)}"))

    # -- reads -------------------------------------------------------------------------------------------------

    def _read(self, statement: Any) -> Any:
        # Plain column selects: the Core connection skips the ORM's result machinery, which costs more than the
        # query on a chunk of thousands of rows.
        return self.session.connection().execute(statement)

    def users_by_email(self) -> dict[str, int]:
        rows = self.session.execute(select(User.email, User.id).where(User.org_id == self.org_id))
        return {email.lower(): user_id for email, user_id in rows}

    def identity_owners(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """{(kind, value): contact_id} for the identities that exist among ``keys``."""
        by_kind: dict[str, set[str]] = defaultdict(set)
        for kind, value in keys:
            by_kind[kind].add(value)
        owners: dict[tuple[str, str], int] = {}
        for kind, values in by_kind.items():
            for batch in _batches(values):
                statement = select(ContactIdentity.value, ContactIdentity.contact_id).where(
                    ContactIdentity.org_id == self.org_id,
                    ContactIdentity.kind == kind,
                    self._in(ContactIdentity.value, batch),
                )
                for value, contact_id in self._read(statement):
                    owners[(kind, value)] = contact_id
        return owners

    def contacts(self, ids: Iterable[int]) -> dict[int, RowMapping]:
        found: dict[int, RowMapping] = {}
        for batch in _batches(set(ids)):
            statement = select(*_CONTACT_COLUMNS).where(Contact.org_id == self.org_id, self._in(Contact.id, batch))
            for row in self._read(statement).mappings():
                found[row["id"]] = row
        return found

    def identities(self, contact_ids: Iterable[int]) -> dict[int, list[RowMapping]]:
        found: dict[int, list[RowMapping]] = defaultdict(list)
        for batch in _batches(set(contact_ids)):
            statement = (
                select(
                    ContactIdentity.id,
                    ContactIdentity.contact_id,
                    ContactIdentity.kind,
                    ContactIdentity.value,
                    ContactIdentity.is_primary,
                )
                .where(ContactIdentity.org_id == self.org_id, self._in(ContactIdentity.contact_id, batch))
                .order_by(ContactIdentity.is_primary.desc(), ContactIdentity.id)
            )
            for row in self._read(statement).mappings():
                found[row["contact_id"]].append(row)
        return found

    def companies_matching(
        self, *, external_ids: set[str], domains: set[str], names: set[str], full: bool = False
    ) -> list[RowMapping]:
        """Companies whose external id, domain or case-folded name is among the given ones."""
        columns = _columns(Company) if full else [Company.id, Company.name, Company.domain, Company.external_id]
        found: dict[int, RowMapping] = {}
        conditions = []
        for batch in _batches(external_ids):
            conditions.append(self._in(Company.external_id, batch))
        for batch in _batches(domains):
            conditions.append(self._in(Company.domain, batch))
        for batch in _batches(names):
            conditions.append(self._in(func.lower(Company.name), batch))
        for condition in conditions:
            statement = select(*columns).where(Company.org_id == self.org_id, condition)
            for row in self._read(statement).mappings():
                found[row["id"]] = row
        return sorted(found.values(), key=lambda row: row["id"])

    def by_external_id(self, model: Any, external_ids: Iterable[str]) -> dict[str, RowMapping]:
        found: dict[str, RowMapping] = {}
        for batch in _batches(set(external_ids)):
            statement = select(*_columns(model)).where(model.org_id == self.org_id, self._in(model.external_id, batch))
            for row in self._read(statement).mappings():
                found[row["external_id"]] = row
        return found

    def ids_by_external_id(self, model: Any, external_ids: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for batch in _batches(set(external_ids)):
            statement = select(model.external_id, model.id).where(
                model.org_id == self.org_id, self._in(model.external_id, batch)
            )
            found.update({external_id: row_id for external_id, row_id in self._read(statement)})
        return found

    def contacts_by_external_id(self, model: Any, external_ids: Iterable[str]) -> dict[str, tuple[int, int | None]]:
        """{external_id: (id, contact_id)} of leads or deals."""
        found: dict[str, tuple[int, int | None]] = {}
        for batch in _batches(set(external_ids)):
            statement = select(model.external_id, model.id, model.contact_id).where(
                model.org_id == self.org_id, self._in(model.external_id, batch)
            )
            found.update({row.external_id: (row.id, row.contact_id) for row in self._read(statement)})
        return found

    def companies_of_contacts(self, contact_ids: Iterable[int]) -> dict[int, int | None]:
        found: dict[int, int | None] = {}
        for batch in _batches(set(contact_ids)):
            statement = select(Contact.id, Contact.company_id).where(
                Contact.org_id == self.org_id, self._in(Contact.id, batch)
            )
            found.update({row.id: row.company_id for row in self._read(statement)})
        return found

    def leads_of_contacts(self, contact_ids: Iterable[int]) -> dict[int, list[RowMapping]]:
        found: dict[int, list[RowMapping]] = defaultdict(list)
        for batch in _batches(set(contact_ids)):
            statement = (
                select(*_columns(Lead))
                .where(Lead.org_id == self.org_id, self._in(Lead.contact_id, batch))
                .order_by(Lead.id.desc())
            )
            for row in self._read(statement).mappings():
                found[row["contact_id"]].append(row)
        return found

    def deals_named(self, names: Iterable[str]) -> dict[str, list[RowMapping]]:
        """Deals by case-folded name."""
        found: dict[str, list[RowMapping]] = defaultdict(list)
        for batch in _batches(set(names)):
            statement = (
                select(*_columns(Deal))
                .where(Deal.org_id == self.org_id, self._in(func.lower(Deal.name), batch))
                .order_by(Deal.id.desc())
            )
            for row in self._read(statement).mappings():
                found[row["name"].lower()].append(row)
        return found

    def activities_at(self, pairs: Iterable[tuple[int, datetime]]) -> dict[tuple[int, datetime], list[RowMapping]]:
        """Activities by (contact_id, occurred_at); served by the (org_id, contact_id, occurred_at) index."""
        found: dict[tuple[int, datetime], list[RowMapping]] = defaultdict(list)
        for batch in _batches(set(pairs), 2000):
            statement = select(*_columns(Activity, skip=("search_text",))).where(Activity.org_id == self.org_id)
            if self._postgres:
                keys = (
                    func.unnest(
                        bindparam(None, [contact_id for contact_id, _ in batch], type_=postgresql.ARRAY(BigInteger())),
                        bindparam(None, [at for _, at in batch], type_=postgresql.ARRAY(DateTime(timezone=True))),
                    )
                    .table_valued("contact_id", "occurred_at")
                    .render_derived(name="wanted")
                )
                statement = statement.join(
                    keys, and_(Activity.contact_id == keys.c.contact_id, Activity.occurred_at == keys.c.occurred_at)
                )
            else:
                statement = statement.where(tuple_(Activity.contact_id, Activity.occurred_at).in_(batch))
            for row in self._read(statement).mappings():
                found[(row["contact_id"], row["occurred_at"])].append(row)
        return found

    def activities_by_external_id(self, external_ids: Iterable[str]) -> dict[str, RowMapping]:
        found: dict[str, RowMapping] = {}
        for batch in _batches(set(external_ids)):
            statement = select(*_columns(Activity, skip=("search_text",))).where(
                Activity.org_id == self.org_id, self._in(Activity.external_id, batch)
            )
            for row in self._read(statement).mappings():
                found[row["external_id"]] = row
        return found

    def products_by_sku(self, skus: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for batch in _batches(set(skus)):
            statement = select(Product.sku, Product.id).where(
                Product.org_id == self.org_id, self._in(Product.sku, batch)
            )
            found.update({sku: product_id for sku, product_id in self._read(statement)})
        return found

    # -- writes ------------------------------------------------------------------------------------------------

    def insert_returning_ids(self, model: Any, rows: list[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` (all with the same keys) and return their new ids in the same order."""
        if not rows:
            return []
        table: Table = model.__table__
        if self._postgres:
            return self._executemany_returning_ids(table, rows)
        if self.session.get_bind().dialect.name != "sqlite":
            result = self.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
            return [row[0] for row in result]
        # SQLAlchemy can only keep RETURNING in parameter order on SQLite by inserting row by row. SQLite gives each
        # new row of a rowid table max(rowid) + 1 and a statement runs under the write lock, so one executemany
        # numbers its rows consecutively up to last_insert_rowid() (which triggers do not change).
        prepared = self._driver_insert(table, rows, returning=False)
        if prepared is None:
            self.session.execute(insert(table), rows)
        else:
            self._execute_rows(*prepared)
        last = int(self.session.scalar(text("SELECT last_insert_rowid()")) or 0)
        first = last - len(rows) + 1
        inserted = self.session.scalar(
            select(func.count())
            .select_from(table)
            .where(table.c.id.between(first, last), table.c.org_id == self.org_id)
        )
        if inserted != len(rows):
            raise RuntimeError(f"expected {len(rows)} new {table.name} rows with ids {first}..{last}, found {inserted}")
        return list(range(first, last + 1))

    def insert(self, model: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self._postgres and self._copy(model.__table__, rows):
            return
        prepared = self._driver_insert(model.__table__, rows, returning=False)
        if prepared is None:
            self.session.execute(insert(model.__table__), rows)
            return
        self._execute_rows(*prepared)

    def _execute_rows(self, sql: str, parameters: list[Any]) -> None:
        """Run a compiled single-row INSERT for every row of ``parameters``.

        On SQLite as INSERT statements of many rows each (``VALUES (...), (...)``) rather than an executemany: the
        search triggers write an FTS5 table, and FTS5 writes out its pending terms at every statement (savepoint)
        that touches it, so an executemany pays an index segment write and merge per row (measured on activities
        with their indexes and trigger: about 100 µs of CPU per row, 34 µs in statements of 1000 rows). The rows
        still get consecutive ids: the statements run one after the other under the write lock."""
        connection = self.session.connection()
        head, keyword, group = sql.partition(" VALUES ")
        if (
            connection.dialect.name != "sqlite"
            or not keyword
            or not (group.startswith("(") and group.endswith(")"))
            or not isinstance(parameters[0], tuple)
        ):
            connection.exec_driver_sql(sql, parameters)
            return
        driver = connection.connection.driver_connection
        limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
        # Statements of a power of two rows only (full ones, then the rest as 512 + 256 + ...): the driver keeps
        # every statement it prepared (about 2 MB for 1024 rows of a wide table), and tails of every size would
        # fill its cache with a hundred of them.
        size = 1 << (max(1, min(SQLITE_ROWS_PER_STATEMENT, limit // max(1, len(parameters[0])))).bit_length() - 1)
        start = 0
        while start < len(parameters):
            while size > len(parameters) - start:
                size //= 2
            batch = parameters[start : start + size]
            statement = f"{head} VALUES {', '.join([group] * size)}"
            connection.exec_driver_sql(statement, tuple(chain.from_iterable(batch)))
            start += size

    def _driver_insert(
        self, table: Table, rows: list[dict[str, Any]], *, returning: bool, positional: bool = False
    ) -> tuple[Any, list[Any]] | None:
        """A compiled single-row INSERT and its parameters for a DBAPI executemany, each value through its column
        type's bind processor — what ``session.execute(insert(table), rows)`` does, minus SQLAlchemy's per-row
        bookkeeping, which costs about as much as the database's own work per row. Columns the rows leave out get
        their Python-side defaults, as SQLAlchemy would give them. None when the compiled statement asks for
        something else (then the caller lets SQLAlchemy do it)."""
        connection = self.session.connection()
        dialect = connection.dialect
        keys = list(rows[0])
        statement = insert(table).values({key: bindparam(key) for key in keys})
        compiled = (statement.returning(table.c.id) if returning else statement).compile(dialect=dialect)
        names = list(compiled.positiontup) if compiled.positiontup is not None else list(compiled.bind_names.values())
        defaults: dict[str, Any] = {}
        for name in set(names) - set(keys):
            column = table.c.get(name)
            default = column.default if column is not None else None
            if default is None or not (default.is_scalar or default.is_callable):
                return None
            defaults[name] = default
        if set(keys) - set(names):
            return None

        # Column by column: one tight loop per column instead of a generator per row, and a value repeated by
        # consecutive rows (the chunk's timestamp, the org id, an empty JSON object) goes through its processor once.
        columns: list[list[Any]] = []
        for name in names:
            default = defaults.get(name)
            if default is None:
                values = [row[name] for row in rows]
            elif default.is_scalar:
                values = [default.arg] * len(rows)
            else:
                values = [default.arg(None) for _ in rows]
            process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            columns.append(values if process is None else _processed(values, process))
        if positional or compiled.positiontup is not None:
            parameters: list[Any] = list(zip(*columns, strict=True))
        else:
            parameters = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
        return (names if positional else str(compiled)), parameters

    def _copy(self, table: Table, rows: list[dict[str, Any]]) -> bool:
        """PostgreSQL: the rows through ``COPY ... FROM STDIN`` (the fastest way in: no statement per row), with
        the values the single-row INSERT would bind. False when that INSERT is not the expected one."""
        prepared = self._driver_insert(table, rows, returning=False, positional=True)
        if prepared is None:
            return False
        names, parameters = prepared
        dialect = self.session.get_bind().dialect
        quote = dialect.identifier_preparer.quote
        sql = f"COPY {quote(table.name)} ({', '.join(quote(table.c[name].name) for name in names)}) FROM STDIN"
        types = _binary_copy_types(dialect, [table.c[name] for name in names], parameters)
        if types is not None:
            sql += " (FORMAT BINARY)"
        cursor = self.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(sql) as copy:
                if types is not None:
                    copy.set_types(types)
                for values in parameters:
                    copy.write_row(values)
        finally:
            cursor.close()
        return True

    def _executemany_returning_ids(self, table: Table, rows: list[dict[str, Any]]) -> list[int]:
        """PostgreSQL: one pipelined psycopg executemany of a single-row INSERT ... RETURNING id, which gives one
        result per row, in row order. (SQLAlchemy's multi-row INSERT for RETURNING in parameter order sends
        statements with tens of thousands of placeholders, which psycopg takes longer to parse than the server
        takes to insert the rows.)"""
        prepared = self._driver_insert(table, rows, returning=True)
        if prepared is None:
            result = self.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
            return [row[0] for row in result]
        sql, parameters = prepared
        cursor = self.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(sql, parameters, returning=True)
            ids = []
            while True:
                ids.append(cursor.fetchone()[0])
                if not cursor.nextset():
                    break
        finally:
            cursor.close()
        return ids

    def update(self, model: Any, rows: list[dict[str, Any]]) -> None:
        """Update rows by ``pk``; rows are grouped by the set of columns they change (one executemany each)."""
        table: Table = model.__table__
        groups: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            groups[frozenset(row)].append(row)
        for keys, group in groups.items():
            columns = sorted(keys - {"pk"})
            # Bind names must differ from column names in an UPDATE's SET clause.
            statement = (
                update(table)
                .where(table.c.org_id == self.org_id, table.c.id == bindparam("b_pk"))
                .values({name: bindparam(f"b_{name}") for name in columns})
            )
            self.session.execute(statement, [{f"b_{key}": value for key, value in row.items()} for row in group])
