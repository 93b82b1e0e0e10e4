"""Knowledge base: retrieval quality on the follow-up evaluation set, retrieval latency at 100,000 chunks, and
ingestion speed.

1. Quality (``eval``): the demo vendor's knowledge base (``src/leadpilot/demo/knowledge/``, 37 documents in every
   supported format) is ingested into a fresh SQLite database with the bundled MiniLM; each answerable question of
   ``benchmarks/data/followup_eval/situations.jsonl`` is retrieved (k = 5) and scored against its expected source
   documents: recall@5 (a relevant document among the five chunks) and MRR (first relevant chunk, top 10), for the
   hybrid ranking and for each ranking alone.
2. Latency (``latency``): one org with ``--chunks`` chunks (default 100,000) in 1,000 documents. Embedding 100,000
   texts with MiniLM takes ~7 minutes here, so ``--distinct`` (default 2,000) synthetic passages are embedded and
   every chunk reuses one of those vectors with Gaussian noise (sigma = 0.02 per component, cosine ≈ 0.93 to its
   source) and its own text (the passage plus a distinct sentence), so that full-text and vector search both face
   100,000 different rows. Reported: cold load of the in-memory matrix, then p50 / p95 of ``retrieve`` (query
   embedding included) for hybrid, vector-only, full-text-only and hybrid with a category filter, and the query
   embedding alone. ``--postgres URL`` runs the same on PostgreSQL (in a temporary schema).
3. Ingestion (``ingest``): a 40-page PDF (fpdf2) through ``ingest_document`` — parse, chunk, embed, store — in
   pages/s and chunks/s, and the parsing alone; the whole demo knowledge base likewise.

    .venv/bin/python benchmarks/bench_retrieval.py                        # everything, print the tables
    .venv/bin/python benchmarks/bench_retrieval.py --write docs/benchmarks.md
    .venv/bin/python benchmarks/bench_retrieval.py --only eval,ingest     # a subset: eval, latency, ingest
    .venv/bin/python benchmarks/bench_retrieval.py --only latency --postgres postgresql+psycopg://postgres@localhost/db
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import tempfile  # noqa: E402

_HOME = tempfile.mkdtemp(prefix="leadpilot-bench-retrieval-")
os.environ.setdefault("LEADPILOT_HOME", _HOME)
os.environ["LEADPILOT_QUEUE_MODE"] = "immediate"
os.environ["LEADPILOT_DATABASE_URL"] = f"sqlite:///{_HOME}/bench.db"

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine_summary, percentile, write_section  # noqa: E402
from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from leadpilot.auth.principal import Principal  # noqa: E402
from leadpilot.db import session as db_session  # noqa: E402
from leadpilot.db.migrate import upgrade  # noqa: E402
from leadpilot.knowledge import fulltext  # noqa: E402
from leadpilot.knowledge.chunking import chunk_blocks  # noqa: E402
from leadpilot.knowledge.models import KnowledgeChunk, KnowledgeDocument  # noqa: E402
from leadpilot.knowledge.parsing import parse_document  # noqa: E402
from leadpilot.knowledge.repository import KnowledgeStateRepository  # noqa: E402
from leadpilot.knowledge.retrieval import retrieve  # noqa: E402
from leadpilot.knowledge.service import ingest_document  # noqa: E402
from leadpilot.knowledge.vectors import quantize, vector_cache  # noqa: E402
from leadpilot.llm.providers import get_embedder  # noqa: E402
from leadpilot.orgs.models import Org  # noqa: E402

EVAL_FILE = ROOT / "benchmarks" / "data" / "followup_eval" / "situations.jsonl"
KNOWLEDGE_DIR = ROOT / "src" / "leadpilot" / "demo" / "knowledge"
NOISE = 0.02


# -- databases -----------------------------------------------------------------------------------------------------


@contextmanager
def sqlite_database(name: str) -> Iterator[Any]:
    url = f"sqlite:///{_HOME}/{name}.db"
    upgrade(url=url)
    yield db_session.engine_for(url)


@contextmanager
def postgres_database(url: str) -> Iterator[Any]:
    schema = f"bench_retrieval_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        with engine.connect() as connection:
            upgrade(connection=connection)
            connection.commit()
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def new_org(session: Session, name: str) -> int:
    org = Org(name=name, slug=f"{name.lower().replace(' ', '-')}-{uuid.uuid4().hex[:6]}", settings={})
    session.add(org)
    session.flush()
    return int(org.id)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def stats_ms(seconds: list[float]) -> tuple[float, float, float]:
    ordered = sorted(s * 1000 for s in seconds)
    return percentile(ordered, 0.5), percentile(ordered, 0.95), sum(ordered) / len(ordered)


# -- 1. quality on the evaluation set ------------------------------------------------------------------------------


def knowledge_files() -> list[tuple[str, str, str, list[str], bytes]]:
    manifest = json.loads((KNOWLEDGE_DIR / "manifest.json").read_text())
    return [
        (name, meta["title"], meta["category"], list(meta.get("tags", [])), (KNOWLEDGE_DIR / name).read_bytes())
        for name, meta in manifest.items()
    ]


def run_eval() -> dict[str, Any]:
    situations = [json.loads(line) for line in EVAL_FILE.read_text().splitlines() if line.strip()]
    questions = [s for s in situations if s.get("answerable") and s.get("expected_sources")]
    with sqlite_database("eval") as engine, Session(engine) as session:
        org_id = new_org(session, "Eval")
        files = knowledge_files()
        by_id: dict[int, str] = {}
        started = time.perf_counter()
        for name, title, category, tags, content in files:
            document = ingest_document(session, org_id, filename=name, content=content, category=category,
                                       title=title, tags=tags)  # fmt: skip
            by_id[document.id] = name
        session.commit()
        ingest_seconds = time.perf_counter() - started
        chunks = session.scalar(text("SELECT count(*) FROM knowledge_chunks WHERE live")) or 0
        results: dict[str, Any] = {"questions": len(questions), "documents": len(files), "chunks": chunks,
                                   "ingest_seconds": ingest_seconds, "modes": {}}  # fmt: skip
        for mode in ("hybrid", "vector", "text"):
            hits5 = reciprocal = 0.0
            misses: list[str] = []
            latencies: list[float] = []
            for situation in questions:
                expected = set(situation["expected_sources"])
                found, seconds = timed(
                    lambda s=situation, m=mode: retrieve(session, org_id, s["question"], k=10, mode=m)
                )
                latencies.append(seconds)
                documents = [by_id.get(hit.document_id, "") for hit in found]
                if any(d in expected for d in documents[:5]):
                    hits5 += 1
                else:
                    misses.append(situation["id"])
                first = next((rank for rank, d in enumerate(documents, start=1) if d in expected), None)
                reciprocal += 1.0 / first if first else 0.0
            p50, p95, _ = stats_ms(latencies)
            results["modes"][mode] = {"recall@5": hits5 / len(questions), "mrr": reciprocal / len(questions),
                                      "p50": p50, "p95": p95, "misses": misses}  # fmt: skip
    return results


# -- 2. latency at scale -------------------------------------------------------------------------------------------

PRODUCTS = """Insight Beacon Atlas Pulse Relay Summit Lumen Cedar Quill Kestrel Meridian Northwind Orbit Vertex Lattice
Tandem Keystone Compass Ember Harbor""".split()  # noqa: SIM905
FEATURES = ["scheduled reports", "row-level permissions", "warehouse sync", "single sign-on", "audit log",
            "anomaly alerts", "API access", "custom dashboards", "SCIM provisioning", "data retention controls",
            "multi-currency forecasts", "territory management", "email sequences", "call transcription",
            "lead routing", "duplicate detection", "sandbox workspaces", "webhook delivery", "usage analytics",
            "HIPAA compliance"]  # fmt: skip
INDUSTRIES = ["logistics", "healthcare", "real estate", "education", "retail", "manufacturing", "banking",
              "insurance", "media", "hospitality", "construction", "energy", "legal services", "software"]  # fmt: skip
CITIES = ["Frankfurt", "Dublin", "Singapore", "Toronto", "Austin", "Lisbon", "Sydney", "Oslo", "Nairobi", "Osaka"]
CATEGORIES = ["product", "pricing", "case_study", "policy", "faq"]
SENTENCES = [
    "{product} includes {feature} on every plan from Growth upwards.",
    "The {product} {tier} plan costs ${price} per user per month when billed annually.",
    "A {industry} company in {city} used {product} to cut response times by {pct}% in {months} months.",
    "Customers on annual contracts can cancel within {days} days for a full refund of unused months.",
    "{feature} is configured by an administrator from the settings page and applies to all workspaces.",
    "Data for customers in {city} is hosted in the regional data centre and never leaves the region.",
    "Support answers within {hours} hours on business days; Enterprise customers get a named success manager.",
    "Teams in {industry} often start with {feature} and add {feature2} once the first dashboards are live.",
    "The onboarding package for {product} takes {weeks} weeks and includes two training sessions.",
    "Invoices are issued in USD, EUR or GBP, and payment is due within {days} days.",
    "{product} connects to Salesforce, HubSpot and Snowflake without custom code.",
    "After the rollout, the {industry} team booked {pct}% more meetings with the same headcount.",
]
# Order codes make the rare, exact terms real knowledge bases have (SKUs, plan codes, error numbers): each code is in
# about five chunks, and a quarter of the queries ask for one.
CODES = 20_000
CODE_SENTENCE = "Order code {code} covers the {product} {tier} bundle with {feature}."
QUESTIONS = [
    "How much does the {product} {tier} plan cost per user?",
    "Does {product} support {feature}?",
    "Which {industry} customers saw faster response times?",
    "Can I get a refund if I cancel an annual contract?",
    "Where is customer data hosted for clients in {city}?",
    "How quickly does support answer?",
    "How long does onboarding for {product} take?",
    "What currencies can we be invoiced in?",
    "{feature}",
    "{product} {feature} pricing",
]
CODE_QUESTION = "What does order code {code} include?"
TIERS = ["Starter", "Growth", "Scale", "Enterprise"]


def fill(template: str, rng: random.Random) -> str:
    feature, feature2 = rng.sample(FEATURES, 2)
    return template.format(
        product=rng.choice(PRODUCTS), feature=feature, feature2=feature2, industry=rng.choice(INDUSTRIES),
        city=rng.choice(CITIES), tier=rng.choice(TIERS), price=rng.choice([19, 29, 49, 79, 99, 149, 349]),
        pct=rng.randint(5, 80), months=rng.randint(2, 18), days=rng.choice([14, 30, 45, 60]),
        hours=rng.choice([2, 4, 8, 24]), weeks=rng.randint(1, 8),
    )  # fmt: skip


def passage(rng: random.Random) -> str:
    return " ".join(fill(rng.choice(SENTENCES), rng) for _ in range(rng.randint(4, 8)))


def load_chunks(engine: Any, *, chunks: int, distinct: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    bases = [passage(rng) for _ in range(distinct)]
    embedder = get_embedder(None)
    vectors, embed_seconds = timed(lambda: embedder.embed(bases))
    per_document = 100
    with Session(engine) as session:
        org_id = new_org(session, "Latency")
        documents = []
        for d in range(chunks // per_document):
            documents.append({
                "org_id": org_id, "title": f"Document {d}", "filename": f"document-{d}.txt", "file_format": "txt",
                "category": CATEGORIES[d % len(CATEGORIES)], "tags": [], "version": 1, "generation": 1,
                "size_bytes": 0, "content_sha256": "0" * 64, "content": b"", "status": "ready", "pages_total": 1,
                "pages_done": 1, "chunks_total": per_document, "chunks_done": per_document,
                "chunk_count": per_document, "embedding_model": embedder.name,
            })  # fmt: skip
        session.execute(insert(KnowledgeDocument), documents)
        ids = list(session.scalars(text("SELECT id FROM knowledge_documents WHERE org_id = :o ORDER BY id"),
                                   {"o": org_id}))  # fmt: skip
        started = time.perf_counter()
        batch: list[dict[str, Any]] = []
        for i in range(chunks):
            base = i % distinct
            vector = vectors[base] + noise.normal(0, NOISE, vectors.shape[1]).astype(np.float32)
            vector /= np.linalg.norm(vector)
            [(blob, scale)] = quantize(vector[None, :])
            document = ids[i // per_document]
            code = CODE_SENTENCE.replace("{code}", f"LP-{rng.randrange(CODES):05d}")
            body = f"{bases[base]} {fill(code, rng)}"
            section = f"{rng.choice(PRODUCTS)} > {rng.choice(FEATURES).capitalize()}"
            batch.append({
                "org_id": org_id, "document_id": document, "generation": 1, "live": True, "ordinal": i % per_document,
                "category": CATEGORIES[(i // per_document) % len(CATEGORIES)], "kind": "text", "section": section,
                "page": None, "text": body, "search_text": fulltext.search_text(f"Document {document}", section, body),
                "token_count": len(body.split()), "embedding": blob, "embedding_scale": scale,
            })  # fmt: skip
            if len(batch) == 5000:
                session.execute(insert(KnowledgeChunk), batch)
                batch = []
        if batch:
            session.execute(insert(KnowledgeChunk), batch)
        KnowledgeStateRepository(session, Principal.system(org_id)).bump()
        session.commit()
        store_seconds = time.perf_counter() - started
        if engine.dialect.name == "postgresql":
            session.execute(text("ANALYZE knowledge_chunks"))
            session.commit()
    return {"org_id": org_id, "embed_seconds": embed_seconds, "store_seconds": store_seconds, "distinct": distinct,
            "chunks": chunks}  # fmt: skip


def run_latency(engine: Any, *, chunks: int, distinct: int, queries: int) -> dict[str, Any]:
    loaded = load_chunks(engine, chunks=chunks, distinct=distinct)
    org_id = loaded["org_id"]
    rng = random.Random(11)
    asked = [
        CODE_QUESTION.format(code=f"LP-{rng.randrange(CODES):05d}") if i % 4 == 0 else fill(rng.choice(QUESTIONS), rng)
        for i in range(queries)
    ]
    embedder = get_embedder(org_id)
    results: dict[str, Any] = {**loaded, "queries": queries, "rows": {}}
    with Session(engine) as session:
        vector_cache.clear()
        hits, cold = timed(lambda: retrieve(session, org_id, asked[0], k=5))
        assert hits, "nothing retrieved"
        results["cold_load_seconds"] = cold
        index = next(iter(vector_cache._items.values()))
        results["matrix_mb"] = index.matrix.nbytes / 1e6
        embeds = [timed(lambda q=q: embedder.embed_one(q))[1] for q in asked]
        results["text_matched"] = sum(1 for q in asked if retrieve(session, org_id, q, k=1, mode="text"))
        results["rows"]["query embedding alone"] = stats_ms(embeds)
        for label, options in [
            ("hybrid (vector + full text, RRF)", {"mode": "hybrid"}),
            ("vector only", {"mode": "vector"}),
            ("full text only", {"mode": "text"}),
            ("hybrid, category filter", {"mode": "hybrid", "categories": ["pricing"]}),
        ]:
            seconds = [timed(lambda q=q, o=options: retrieve(session, org_id, q, k=5, **o))[1] for q in asked]
            results["rows"][label] = stats_ms(seconds)
    return results


# -- 3. ingestion --------------------------------------------------------------------------------------------------


def manual_pdf(pages: int, seed: int = 3) -> bytes:
    from fpdf import FPDF

    rng = random.Random(seed)
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for page in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", style="B", size=13)
        pdf.multi_cell(0, 7, f"Chapter {page}: {rng.choice(PRODUCTS)} {rng.choice(FEATURES).title()}",
                       new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        pdf.set_font("Helvetica", size=10)
        for _ in range(4):
            pdf.multi_cell(0, 5, passage(rng).replace("$", "USD "), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def run_ingest(engine: Any, *, pages: int) -> dict[str, Any]:
    content = manual_pdf(pages)
    parsed, parse_seconds = timed(lambda: parse_document("manual.pdf", content))
    drafts = chunk_blocks(parsed.blocks)
    get_embedder(None).embed(["warm up"])
    with Session(engine) as session:
        org_id = new_org(session, "Ingest")
        _, ingest_seconds = timed(
            lambda: ingest_document(session, org_id, filename="manual.pdf", content=content, category="product")
        )
        session.commit()
        files = knowledge_files()
        demo_pages = sum(parse_document(name, data).pages for name, _, _, _, data in files)
        _, demo_seconds = timed(lambda: [
            ingest_document(session, org_id, filename=name, content=data, category=category, title=title, tags=tags)
            for name, title, category, tags, data in files
        ])  # fmt: skip
        session.commit()
        demo_chunks = session.scalar(
            text("SELECT count(*) FROM knowledge_chunks WHERE org_id = :o AND document_id != "
                 "(SELECT min(id) FROM knowledge_documents WHERE org_id = :o)"), {"o": org_id}
        )  # fmt: skip
    return {"pages": parsed.pages, "bytes": len(content), "chunks": len(drafts), "parse_seconds": parse_seconds,
            "ingest_seconds": ingest_seconds, "demo_files": len(files), "demo_pages": demo_pages,
            "demo_chunks": demo_chunks, "demo_seconds": demo_seconds}  # fmt: skip


# -- report --------------------------------------------------------------------------------------------------------


def report(results: dict[str, Any], command: str, machine: str) -> str:
    lines = ["## Knowledge base: retrieval and ingestion", "", f"`{command}` — {machine}.", ""]
    ev = results.get("eval")
    if ev:
        lines += [
            f"**Quality** on the follow-up evaluation set: {ev['questions']} answerable questions of "
            "`benchmarks/data/followup_eval/situations.jsonl` against the demo knowledge base "
            f"({ev['documents']} documents, {ev['chunks']} chunks, bundled MiniLM). A hit is a chunk of one of the "
            "question's expected source documents.",
            "",
            "| ranking | recall@5 | MRR (top 10) | p50 ms | p95 ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for mode, row in ev["modes"].items():
            lines.append(f"| {mode} | {row['recall@5']:.3f} | {row['mrr']:.3f} | {row['p50']:.1f} | {row['p95']:.1f} |")
        misses = ev["modes"]["hybrid"]["misses"]
        lines += ["", f"Hybrid misses (no expected document in the top 5): {', '.join(misses) or 'none'}.", ""]
    for key, title in (("latency_sqlite", "SQLite"), ("latency_postgres", "PostgreSQL")):
        lat = results.get(key)
        if not lat:
            continue
        lines += [
            f"**Latency on {title}**: one org with {lat['chunks']:,} live chunks ({lat['distinct']:,} distinct "
            f"passages embedded by MiniLM in {lat['embed_seconds']:.0f} s; every chunk reuses one of their vectors "
            f"with Gaussian noise, sigma = {NOISE}, and has its own text). Stored in {lat['store_seconds']:.0f} s. "
            f"First query after a change loads the matrix ({lat['matrix_mb']:.0f} MB float32) in "
            f"{lat['cold_load_seconds']:.2f} s; then, over {lat['queries']} queries (a quarter ask for one of "
            f"{CODES:,} order codes; {lat['text_matched']} have selective words the full-text ranking uses), k = 5:",
            "",
            "| retrieval | p50 ms | p95 ms | mean ms |",
            "| --- | ---: | ---: | ---: |",
        ]
        for label, (p50, p95, mean) in lat["rows"].items():
            lines.append(f"| {label} | {p50:.1f} | {p95:.1f} | {mean:.1f} |")
        lines += ["", "Every retrieval row includes embedding the query with MiniLM on the same CPU.", ""]
    ing = results.get("ingest")
    if ing:
        lines += [
            "**Ingestion** (`ingest_document`: parse, chunk, embed with MiniLM, store in SQLite, one thread):",
            "",
            "| input | pages | chunks | seconds | pages/s | chunks/s |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            f"| {ing['pages']}-page PDF, parse only | {ing['pages']} | {ing['chunks']} | {ing['parse_seconds']:.2f} | "
            f"{ing['pages'] / ing['parse_seconds']:.0f} | |",
            f"| {ing['pages']}-page PDF, full ingestion | {ing['pages']} | {ing['chunks']} | "
            f"{ing['ingest_seconds']:.2f} | {ing['pages'] / ing['ingest_seconds']:.1f} | "
            f"{ing['chunks'] / ing['ingest_seconds']:.1f} |",
            f"| demo knowledge base ({ing['demo_files']} files, 6 formats) | {ing['demo_pages']} | "
            f"{ing['demo_chunks']} | {ing['demo_seconds']:.2f} | {ing['demo_pages'] / ing['demo_seconds']:.1f} | "
            f"{ing['demo_chunks'] / ing['demo_seconds']:.1f} |",
            "",
            "Pages of formats without pages count 500 words each. Embedding is nearly all of the time; parsing a PDF "
            "page takes milliseconds.",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="eval,latency,ingest")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--postgres", default=None, help="also measure latency on this PostgreSQL database")
    parser.add_argument("--write", type=Path, default=None, help="write the section into this markdown file")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    machine = machine_summary()  # the load average before this script adds its own
    upgrade(url=os.environ["LEADPILOT_DATABASE_URL"])  # where the embedder's usage counts are flushed
    results: dict[str, Any] = {}
    postgres_version = None
    if "eval" in parts:
        if EVAL_FILE.exists():
            results["eval"] = run_eval()
            print(json.dumps(results["eval"], indent=1, default=str))
        else:
            print(f"{EVAL_FILE} is missing: skipping the quality part")
    if "latency" in parts:
        with sqlite_database("latency") as engine:
            results["latency_sqlite"] = run_latency(engine, chunks=args.chunks, distinct=args.distinct,
                                                    queries=args.queries)  # fmt: skip
            print(json.dumps(results["latency_sqlite"], indent=1, default=str))
        if args.postgres:
            with postgres_database(args.postgres) as engine:
                with engine.connect() as connection:
                    postgres_version = connection.execute(text("SHOW server_version")).scalar()
                results["latency_postgres"] = run_latency(engine, chunks=args.chunks, distinct=args.distinct,
                                                          queries=args.queries)  # fmt: skip
                print(json.dumps(results["latency_postgres"], indent=1, default=str))
    if "ingest" in parts:
        with sqlite_database("ingest") as engine:
            results["ingest"] = run_ingest(engine, pages=args.pages)
            print(json.dumps(results["ingest"], indent=1, default=str))
    command = "python benchmarks/bench_retrieval.py " + " ".join(
        a for a in sys.argv[1:] if not a.startswith("--write") and a != str(args.write)
    )
    if postgres_version:
        machine = machine.replace(", 20", f", PostgreSQL {postgres_version}, 20", 1)
    body = report(results, command.strip(), machine)
    print(body)
    if args.write:
        write_section(args.write, "retrieval", body)


if __name__ == "__main__":
    main()
