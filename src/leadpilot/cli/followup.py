"""``leadpilot followup draft``: a grounded follow-up for a lead, printed with its sources and claim check."""

from __future__ import annotations

import json

import typer

from leadpilot.cli.common import resolve_org
from leadpilot.db.session import new_session
from leadpilot.errors import AppError

app = typer.Typer(no_args_is_help=True)


@app.command("draft")
def draft(
    lead: int = typer.Option(..., "--lead", help="Lead id."),
    mode: str | None = typer.Option(None, "--mode", help="strict, assisted or generative (default: the org's)."),
    approach: str = typer.Option("rag", "--approach", help="rag, finetuned or hybrid."),
    org: str | None = typer.Option(None, "--org", help="Org slug (default: the only org)."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole response as JSON."),
) -> None:
    """Draft a follow-up for a lead (nothing is sent or stored)."""
    from pydantic import ValidationError

    from leadpilot.followup.schemas import FollowupRequest
    from leadpilot.followup.service import generate_followup

    if approach not in {"rag", "finetuned", "hybrid"}:
        raise typer.BadParameter("choose rag, finetuned or hybrid", param_hint="--approach")
    try:
        request = FollowupRequest.model_validate({"lead_id": lead, "mode": mode})
    except ValidationError as exc:
        raise typer.BadParameter(exc.errors()[0]["msg"], param_hint="--mode / --lead") from exc
    with new_session(write=False) as session:
        org_id = resolve_org(session, org).id
        try:
            result = generate_followup(session, org_id, request, approach=approach)  # type: ignore[arg-type]
        except AppError as exc:
            typer.echo(f"{exc.name}: {exc.detail}", err=True)
            raise typer.Exit(code=1) from exc
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    typer.echo(result.message)
    typer.echo("")
    verified = "verified" if result.grounding_verified else "NOT verified"
    typer.echo(f"strategy {result.strategy.name} ({result.strategy.reason}) · mode {result.mode} · "
               f"model {result.model_used} · claims {verified} · confidence {result.confidence:.2f} · "
               f"personalisation {result.personalisation_score:.2f}{' · cached' if result.cached else ''}")  # fmt: skip
    if result.fallback_reason:
        typer.echo(f"fallback: {result.fallback_reason}")
    for claim in result.claims:
        evidence = f"{claim.document_title}: {claim.quote}" if claim.quote else claim.crm_fact or claim.reason
        typer.echo(f"  [{claim.verdict}] {claim.kind} {claim.claim!r} <- {evidence}")
    for source in result.sources:
        typer.echo(f"  source {source.chunk_id}{' (used)' if source.used else ''}: {source.document_title}"
                   f"{' > ' + source.section if source.section else ''}")  # fmt: skip
