"""``leadpilot score train | run | report | promote | rollback | drift``: the lead-scoring model of an org."""

from __future__ import annotations

import json
from typing import Any

import typer

from leadpilot.cli.common import resolve_org, system_principal
from leadpilot.db.session import new_session, transaction
from leadpilot.errors import AppError

app = typer.Typer(no_args_is_help=True)

ORG_OPTION = typer.Option(None, "--org", help="Org slug (default: the only org).")


def _org_id(slug: str | None) -> int:
    with new_session(write=False) as session:
        return resolve_org(session, slug).id


def _fmt(value: Any, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _fail(exc: AppError) -> None:
    typer.echo(f"{exc.name}: {exc.detail}", err=True)
    raise typer.Exit(code=1) from exc


@app.command("train")
def train(
    org: str | None = ORG_OPTION,
    promote: bool | None = typer.Option(None, "--promote/--no-promote", help="Default: only the org's first model."),
) -> None:
    """Train a candidate version from the org's history (the database stays writable meanwhile)."""
    from leadpilot.scoring.tasks import train_org

    outcome = train_org(_org_id(org), trigger="manual", promote=promote)
    if outcome.version is None:
        typer.echo(f"No model trained: {outcome.detail}")
        return
    version = outcome.version
    test = version.metrics.get("test", {})
    typer.echo(
        f"Trained {version.version} ({version.status}): AUC {_fmt(test.get('auc'))}, "
        f"average precision {_fmt(test.get('average_precision'))}, Brier {_fmt(test.get('brier'))} "
        f"on {test.get('rows')} held-out snapshots of the newest leads."
    )


@app.command("run")
def run(
    org: str | None = ORG_OPTION,
    unscored: bool = typer.Option(False, "--unscored", help="Only leads without a score."),
) -> None:
    """Score every lead of the org now (batch) and store the scores."""
    from leadpilot.scoring.service import ScoringService

    with transaction() as session:
        summary = ScoringService(session, system_principal(resolve_org(session, org))).score_all(
            trigger="batch", unscored_only=unscored
        )
    rate = summary.scored / summary.seconds if summary.seconds else 0.0
    typer.echo(
        f"Scored {summary.scored:,} leads with {summary.model_version} in {summary.seconds:.2f} s "
        f"({rate:,.0f} leads/s); {summary.stored:,} moved enough to be stored in the history."
    )


@app.command("report")
def report(org: str | None = ORG_OPTION, as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The org's model versions, the active version's quality and the latest drift check."""
    from leadpilot.scoring.service import ScoringService

    with new_session(write=False) as session:
        service = ScoringService(session, system_principal(resolve_org(session, org)))
        versions = service.list_versions()
        drift = service.latest_drift(limit=1)
        data: dict[str, Any] = {
            "versions": [
                {
                    "version": v.version,
                    "status": v.status,
                    "created_at": v.created_at.isoformat(),
                    "rows": v.rows,
                    "positives": v.positives,
                    "metrics": v.metrics,
                }
                for v in versions
            ],
            "drift": [
                {
                    "status": d.status,
                    "score_psi": d.score_psi,
                    "rows": d.rows,
                    "drifted_features": d.drifted_features,
                    "computed_at": d.computed_at.isoformat(),
                }
                for d in drift
            ],
        }
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    if not versions:
        typer.echo("No model yet: scores come from the prior (docs/scoring.md). Run `leadpilot score train`.")
    for v in data["versions"]:
        test = v["metrics"].get("test", {})
        typer.echo(
            f"{v['version']:<10} {v['status']:<9} AUC {_fmt(test.get('auc'))}  AP "
            f"{_fmt(test.get('average_precision'))}  Brier {_fmt(test.get('brier'))}  "
            f"rows {v['rows']:,}  created {v['created_at'][:16]}"
        )
    active = next((v for v in data["versions"] if v["status"] == "active"), None)
    if active:
        m = active["metrics"]
        group = m.get("group_cv", {})
        typer.echo(
            f"\nActive {active['version']}: calibration {m.get('calibration', {}).get('method')}, "
            f"uncalibrated Brier {_fmt(m.get('test_uncalibrated', {}).get('brier'))}, logistic baseline "
            f"AUC {_fmt(m.get('test_logistic', {}).get('auc'))}, prior AUC "
            f"{_fmt(m.get('test_prior', {}).get('auc'))}, per-account {group.get('folds')}-fold AUC "
            f"{_fmt(group.get('auc_mean'))} ± {_fmt(group.get('auc_std'))}"
        )
        typer.echo(
            "Reliability (test): "
            + ", ".join(
                f"{row['bin']}: {_fmt(row['observed'], 2)} of {row['rows']}"
                for row in m.get("test", {}).get("reliability", [])
                if row["rows"]
            )
        )
    for d in data["drift"]:
        typer.echo(
            f"\nDrift ({d['computed_at'][:16]}): {d['status']}, score PSI {_fmt(d['score_psi'])}, "
            f"{d['rows']} open leads; drifted: {', '.join(d['drifted_features']) or 'none'}"
        )


@app.command("promote")
def promote(
    version: str = typer.Argument(..., help="Version label, e.g. lead-v3"), org: str | None = ORG_OPTION
) -> None:
    """Make a version the active one (the current one is archived)."""
    from leadpilot.scoring.service import ScoringService

    try:
        with transaction() as session:
            service = ScoringService(session, system_principal(resolve_org(session, org)))
            match = next((v for v in service.list_versions() if v.version == version), None)
            if match is None:
                raise typer.BadParameter(f"no version {version!r}", param_hint="VERSION")
            service.promote(match.id)
    except AppError as exc:
        _fail(exc)
    typer.echo(f"{version} is active; the org's leads are being re-scored.")


@app.command("rollback")
def rollback(org: str | None = ORG_OPTION) -> None:
    """Archive the active version and re-activate the previous one (or fall back to the prior)."""
    from leadpilot.scoring.service import ScoringService

    try:
        with transaction() as session:
            active, archived = ScoringService(session, system_principal(resolve_org(session, org))).rollback()
            labels = (active.version if active else None, archived.version)
    except AppError as exc:
        _fail(exc)
    typer.echo(f"Rolled back {labels[1]}; active now: {labels[0] or 'the prior (no model)'}.")


@app.command("drift")
def drift(org: str | None = ORG_OPTION) -> None:
    """Run a drift check of the active version now."""
    from leadpilot.scoring.service import ScoringService

    with transaction() as session:
        found = ScoringService(session, system_principal(resolve_org(session, org))).check_drift()
        line = (
            (
                f"{found.status}: score PSI {_fmt(found.score_psi)} over {found.rows} open leads; drifted features: "
                f"{', '.join(found.drifted_features) or 'none'}"
            )
            if found
            else "No active model: nothing to check."
        )
    typer.echo(line)
