"""``leadpilot intel analyze | annotate | eval``: conversation intelligence from the command line.

Without ``--org`` both use the classifiers trained on the shipped examples only (no database needed); with it, the
org's classifiers (shipped + the org's own examples)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True)

ORG_OPTION = typer.Option(None, "--org", help="Org slug: use that org's classifiers (default: the shipped ones).")


def _model_and_embed(org: str | None) -> tuple[Any, Any, Any]:
    """(model, embed, chat) of the org, or of the shipped examples."""
    from leadpilot.intelligence.classifier import train_model
    from leadpilot.intelligence.service import MODEL_PREFIX, MODELS, IntelligenceService
    from leadpilot.llm.providers import get_embedder

    if org is None:
        embedder = get_embedder()
        version = f"{MODEL_PREFIX}/shipped"

        def build() -> Any:
            return train_model(embedder.embed, embedder_name=embedder.name, version=version)

        model = MODELS.get((None, version, embedder.name), build)
        return model, embedder.embed, None
    from leadpilot.cli.common import resolve_org, system_principal
    from leadpilot.db.session import new_session

    with new_session(write=False) as session:
        principal = system_principal(resolve_org(session, org))
        service = IntelligenceService(session, principal)
        model = service.model()
        chat = service._chat()
    return model, get_embedder(principal.org_id).embed, chat


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:5.1f}%"


@app.command("analyze")
def analyze_text(
    text: str = typer.Argument(..., help="The message to analyse."),
    at: datetime | None = typer.Option(None, "--at", help="When it was written (resolves 'next quarter'); now."),
    org: str | None = ORG_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the annotations as JSON."),
) -> None:
    """Annotate a message: intent, sentiment, emotion, buying signals, objections, BANT, language."""
    from leadpilot.intelligence.analyzer import analyze

    if not text.strip():
        typer.echo("InvalidInput: the text is empty", err=True)
        raise typer.Exit(code=1)
    model, embed, chat = _model_and_embed(org)
    when = at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at or datetime.now(UTC)
    result = analyze(text, model=model, embed=embed, at=when, chat=chat)
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    language = result.get("language") or {}
    typer.echo(f"language   {language.get('code', '-')}")
    if "intent" in result:
        others = ", ".join(f"{i['label']} {_pct(i['confidence']).strip()}" for i in result["intents"][1:])
        typer.echo(f"intent     {result['intent']['label']} {_pct(result['intent']['confidence']).strip()}"
                   + (f" (also {others})" if others else ""))  # fmt: skip
    sentiment = result["sentiment"]
    typer.echo(f"sentiment  {sentiment['label']} ({sentiment['score']:+.2f})")
    if "emotion" in result:
        typer.echo(f"emotion    {result['emotion']['label']}")
    for signal in result.get("buying_signals", []):
        typer.echo(f'signal     {signal["type"]} strength {signal["strength"]:.2f}: "{signal["quote"]}"')
    for objection in result.get("objections", []):
        typer.echo(f'objection  {objection["type"]} severity {objection["severity"]:.2f}: "{objection["quote"]}"')
        typer.echo(f"           → {objection['strategy']}")
    for name, fact in result.get("bant", {}).items():
        detail = {
            "budget": lambda f: f"{f['amount']:,.2f} {f['currency']}" + (f" per {f['period']}" if f["period"] else ""),
            "timeline": lambda f: f["date"],
            "authority": lambda f: (
                f"role {f['role'] or '-'}, decides: {f['decision_maker']}, approver {f['approver'] or '-'}"
            ),
            "need": lambda f: "stated",
        }[name](fact)
        typer.echo(f'{name:<10} {detail}: "{fact["quote"]}"')


@app.command("annotate")
def annotate_backlog(
    limit: int = typer.Option(100_000, "--limit", help="Stop after this many messages."),
) -> None:
    """Annotate every stored message that has none yet (after a bulk load such as the demo tenant), now."""
    from leadpilot.intelligence.tasks import annotate_missing

    done, started = 0, time.perf_counter()
    while done < limit:
        annotated = annotate_missing(batch=min(500, limit - done), grace_seconds=0)
        if annotated == 0:
            break
        done += annotated
        typer.echo(f"{done:,} messages annotated ({time.perf_counter() - started:.0f} s)")
    typer.echo(f"Done: {done:,} messages annotated.")


@app.command("eval")
def evaluate(
    org: str | None = ORG_OPTION,
    cv: bool = typer.Option(False, "--cv", help="Also 5-fold cross-validation on the training examples (slower)."),
) -> None:
    """Accuracy and macro-F1 per task on the held-out set (never trained on), against the majority class."""
    from leadpilot.intelligence.classifier import cross_validate, evaluate_heldout
    from leadpilot.intelligence.service import group_examples

    started = time.perf_counter()
    model, embed, _ = _model_and_embed(org)
    trained = time.perf_counter() - started
    heldout = evaluate_heldout(model, embed)
    folds: dict[str, Any] = {}
    if cv:
        pairs: dict[str, list[tuple[str, str]]] = {}
        if org is not None:
            from leadpilot.cli.common import resolve_org, system_principal
            from leadpilot.db.session import new_session
            from leadpilot.intelligence.repository import ExampleRepository

            with new_session(write=False) as session:
                pairs = group_examples(ExampleRepository(session, system_principal(resolve_org(session, org))).pairs())
        folds = cross_validate(embed, embedder_name=model.embedder_name, org_examples=pairs)
    size = next(iter(heldout.values()))["examples"]
    typer.echo(f"{model.version} ({trained:.1f} s to train), held-out set of {size} messages")
    header = f"{'task':<14}{'accuracy':>10}{'macro-F1':>10}{'majority acc':>14}{'majority F1':>13}"
    typer.echo(header + (f"{'CV acc':>9}{'CV F1':>8}" if cv else ""))
    for task, scores in heldout.items():
        line = (f"{task:<14}{_pct(scores['accuracy']):>10}{_pct(scores['macro_f1']):>10}"
                f"{_pct(scores['majority_accuracy']):>14}{_pct(scores['majority_macro_f1']):>13}")  # fmt: skip
        if cv:
            line += f"{_pct(folds[task]['accuracy']):>9}{_pct(folds[task]['macro_f1']):>8}"
        typer.echo(line)
