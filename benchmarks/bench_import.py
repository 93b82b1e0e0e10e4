"""Import throughput: generate contacts and activities CSVs, import them through the same service and job code
the API and the worker use, and report rows/s, wall time and peak memory for each.

    python benchmarks/bench_import.py                                  # 100k contacts + 1M activities, SQLite
    python benchmarks/bench_import.py --contacts 10000 --activities 100000
    python benchmarks/bench_import.py --database-url postgresql+psycopg://postgres@localhost/leadpilot_bench_import
    python benchmarks/bench_import.py --contacts 20000 --activities 200000 --profile /tmp/import-profile

SQLite runs in a temporary file. A PostgreSQL database is emptied first (``--reset`` is required when it holds
tables). Each import runs in a child process so its peak RSS (``ru_maxrss``) is its own; "upload" is
``ImportService.create_job`` (checks and stores the file), "run" is ``run_import`` (what the "imports.run" task
does). ``--write-docs`` writes the figures into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "Anna",
    "Lukas",
    "Sofia",
    "Mateo",
    "Chloé",
    "Jürgen",
    "Aiko",
    "Wei",
    "Fatima",
    "Olga",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Müller",
    "Rossi",
    "Dubois",
    "Nakamura",
    "Chen",
    "Kowalski",
    "Silva",
    "Novak",
    "Andersson",
    "O'Brien",
    "Nguyen",
    "Haddad",
]
DOMAINS = [
    f"{word}.{tld}"
    for word in ("acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell", "cyberdyne")
    for tld in ("com", "io", "co.uk", "de", "fr")
]
AREA_CODES = [212, 305, 312, 415, 503, 617, 646, 702, 713, 808, 206, 404]
TITLES = ["CEO", "CFO", "VP Sales", "Head of Marketing", "Engineer", "Office Manager", "Buyer", ""]
TYPES = (
    ["email_sent"] * 30
    + ["email_opened"] * 25
    + ["email_clicked"] * 10
    + ["web_visit"] * 25
    + ["purchase"] * 5
    + ["call", "meeting", "form_submitted", "sms_sent", "email_replied"]
)


_EXCHANGES = [e for e in range(201, 1000) if e % 100 != 11]


def _phone(i: int, rng: random.Random) -> str:
    """A valid US number, different for every ``i``."""
    area = AREA_CODES[i % len(AREA_CODES)]
    exchange = _EXCHANGES[(i // len(AREA_CODES)) % len(_EXCHANGES)]
    line = 1000 + (i // (len(AREA_CODES) * len(_EXCHANGES))) % 9000
    return rng.choice([f"+1 {area} {exchange} {line}", f"({area}) {exchange}-{line}", f"{area}.{exchange}.{line}"])


def generate(directory: Path, *, contacts: int, activities: int, seed: int, activity_ids: bool) -> tuple[Path, Path]:
    rng = random.Random(seed)
    contacts_path = directory / "contacts.csv"
    emails = []
    with contacts_path.open("w", encoding="utf-8") as out:
        out.write(
            "External ID,First Name,Last Name,E-mail,Phone Number,Company,Job Title,City,Country,Time Zone,"
            "Lifecycle Stage,Source\n"
        )
        for i in range(contacts):
            first, last, domain = rng.choice(FIRST), rng.choice(LAST), rng.choice(DOMAINS)
            email = f"{first.lower()[:1]}.{last.lower().replace(' ', '')}{i}@{domain}".replace("'", "")
            emails.append(email)
            phone = _phone(i, rng) if rng.random() < 0.8 else ""
            company = domain.split(".")[0].title()
            out.write(
                f'crm-{i},{first},"{last}",{email},{phone},{company},{rng.choice(TITLES)},Springfield,US,'
                f"America/New_York,{rng.choice(['lead', 'customer', 'subscriber'])},import\n"
            )
    activities_path = directory / "activities.csv"
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with activities_path.open("w", encoding="utf-8") as out:
        out.write(("Event ID," if activity_ids else "") + "Email,Type,Timestamp,Subject,URL,Amount\n")
        for i in range(activities):
            kind = rng.choice(TYPES)
            at = (start + timedelta(seconds=rng.randint(0, 60 * 86400 * 12))).isoformat()
            subject = "Spring offer" if kind.startswith("email") else ""
            url = f"https://example.com/p/{rng.randint(1, 500)}" if kind == "web_visit" else ""
            amount = f"{rng.randint(5, 900)}.{rng.randint(0, 99):02d}" if kind == "purchase" else ""
            prefix = f"evt-{i}," if activity_ids else ""
            out.write(f"{prefix}{rng.choice(emails)},{kind},{at},{subject},{url},{amount}\n")
    return contacts_path, activities_path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _server_cpu() -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving this database (read from /proc: the server
    runs on this machine), so the figures say how much of the work the database did; empty for SQLite."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from leadpilot.config import get_settings

    url = get_settings().resolved_database_url
    if not url.startswith("postgresql"):
        return {}
    # A connection of its own, so that it does not leave out the pooled connection the import runs on.
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        ).scalars()
        used = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    engine.dispose()
    return used


def _child(args: argparse.Namespace) -> None:
    """One import, measured in this process: prints a JSON line with the figures."""
    from sqlalchemy import select

    from leadpilot.cli.common import system_principal
    from leadpilot.db.session import transaction
    from leadpilot.imports.service import ImportService, run_import
    from leadpilot.orgs.models import Org

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    path = Path(args.file)
    server_before = _server_cpu()
    cpu_before = _cpu()
    started = time.perf_counter()
    with transaction() as session, path.open("rb") as handle:
        org = session.scalar(select(Org).where(Org.slug == args.org))
        assert org is not None
        job = ImportService(session, system_principal(org)).create_job(
            entity=args.phase,
            file_format="csv",
            filename=path.name,
            content=handle,
            options={"chunk_size": args.chunk_size},
            enqueue=False,
        )
        job_id = job.id
    uploaded = time.perf_counter()
    if args.profile:
        profiler = cProfile.Profile()
        status = profiler.runcall(run_import, job_id)
        profiler.dump_stats(Path(args.profile) / f"{args.phase}-{job_id}.prof")
    else:
        status = run_import(job_id)
    finished = time.perf_counter()
    cpu = _cpu() - cpu_before
    server_after = _server_cpu()
    server_cpu = sum(server_after[pid] - server_before.get(pid, 0.0) for pid in server_after)
    with transaction() as session:
        job = ImportService(session, system_principal(org)).get(job_id)
        counts = {
            "rows": job.processed_rows,
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
            "errors": job.error_count,
        }
    print(
        json.dumps(
            {
                "status": status,
                **counts,
                "upload_s": uploaded - started,
                "run_s": finished - uploaded,
                "total_s": finished - started,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "baseline_rss_mb": baseline / 1024,
                "file_mb": path.stat().st_size / 1e6,
                "cpu_s": cpu,
                "server_cpu_s": server_cpu,
            }
        )
    )


def _prepare_database(url: str, *, reset: bool) -> str | None:
    from sqlalchemy import inspect, text

    from leadpilot.db.migrate import upgrade
    from leadpilot.db.session import engine_for

    engine = engine_for(url)
    version = None
    if url.startswith("postgresql"):
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar()
            has_tables = bool(inspect(connection).get_table_names())
        if has_tables and not reset:
            sys.exit(f"{url} holds tables; pass --reset to empty it (everything in schema public is dropped)")
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(url=url)
    engine.dispose()
    return version


def _create_org(slug_name: str) -> str:
    from leadpilot.db.session import transaction
    from leadpilot.orgs.service import create_org

    with transaction() as session:
        org, _ = create_org(
            session,
            name=slug_name,
            owner_email="bench@example.com",
            owner_name="Bench",
            owner_password="bench-password-123",
            timezone="America/New_York",
        )
        return org.slug


def _run_phase(
    phase: str, file: Path, env: dict[str, str], org: str, chunk_size: int, profile: str | None
) -> dict[str, float]:
    command = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--file",
        str(file),
        "--org",
        org,
        "--chunk-size",
        str(chunk_size),
        *(["--profile", profile] if profile else []),
    ]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.exit(f"{phase} import failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--reset", action="store_true", help="empty the PostgreSQL database first")
    parser.add_argument("--chunk-size", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-activity-ids",
        action="store_true",
        help="activities without an event id column (matched by contact, type and time)",
    )
    parser.add_argument("--write-docs", action="store_true", help="write the figures into docs/benchmarks.md")
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="run each job under cProfile and write DIR/<entity>-<job id>.prof (slower; figures are not comparable)",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--org", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        _child(args)
        return

    if args.profile:
        args.profile = str(Path(args.profile).resolve())
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="leadpilot-bench-import-"))
    url = args.database_url or f"sqlite:///{work / 'bench.db'}"
    env = {
        **os.environ,
        "LEADPILOT_HOME": str(work),
        "LEADPILOT_DATABASE_URL": url,
        "LEADPILOT_QUEUE_MODE": "immediate",
        "LEADPILOT_ENVIRONMENT": "development",
        "LEADPILOT_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _common import machine_summary, write_section

    version = _prepare_database(url, reset=args.reset)
    org = _create_org("Bench Import")
    started = time.perf_counter()
    contacts_csv, activities_csv = generate(
        work, contacts=args.contacts, activities=args.activities, seed=args.seed, activity_ids=not args.no_activity_ids
    )
    print(
        f"generated {args.contacts} contacts and {args.activities} activities in {time.perf_counter() - started:.1f}s"
        f" ({work})",
        file=sys.stderr,
    )
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    results = []
    for label, phase, file in (
        ("contacts", "contacts", contacts_csv),
        ("activities", "activities", activities_csv),
        ("contacts again (unchanged)", "contacts", contacts_csv),
    ):
        result = _run_phase(phase, file, env, org, args.chunk_size, args.profile)
        results.append((label, result))
        rate = result["rows"] / result["total_s"]
        cpu = result.get("cpu_s", 0.0) + result.get("server_cpu_s", 0.0)
        print(
            f"{database} {label}: {result['rows']} rows ({result['created']} created, {result['unchanged']} "
            f"unchanged, {result['errors']} errors), upload {result['upload_s']:.1f}s + run {result['run_s']:.1f}s "
            f"= {result['total_s']:.1f}s, {rate:,.0f} rows/s ({result['rows'] / result['run_s']:,.0f} rows/s in the "
            f"job), peak RSS {result['peak_rss_mb']:.0f} MB (baseline {result['baseline_rss_mb']:.0f} MB), CPU "
            f"{result.get('cpu_s', 0):.1f}s importer + {result.get('server_cpu_s', 0):.1f}s PostgreSQL = "
            f"{result['rows'] / cpu if cpu else 0:,.0f} rows per CPU-second"
        )

    command = "python benchmarks/bench_import.py " + " ".join(a for a in sys.argv[1:] if a != "--write-docs")
    lines = [
        f"### Import ({database})",
        "",
        f"`{command.strip()}` — {machine_summary(postgres_version=version)}",
        "",
        "| file | rows | upload | job run | total | rows/s (total) | rows/s (job) | CPU s (importer + db) "
        "| rows per CPU-s | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, r in results:
        cpu = r.get("cpu_s", 0.0) + r.get("server_cpu_s", 0.0)
        lines.append(
            f"| {label} | {r['rows']:,} | {r['upload_s']:.1f} s | {r['run_s']:.1f} s | {r['total_s']:.1f} s | "
            f"{r['rows'] / r['total_s']:,.0f} | {r['rows'] / r['run_s']:,.0f} | {r.get('cpu_s', 0):.1f} + "
            f"{r.get('server_cpu_s', 0):.1f} | {r['rows'] / cpu if cpu else 0:,.0f} | {r['peak_rss_mb']:.0f} MB |"
        )
    print("\n".join(lines))
    if args.write_docs:
        write_section(ROOT / "docs" / "benchmarks.md", f"import-{database.lower()}", "\n".join(lines))


if __name__ == "__main__":
    main()
