"""The ``leadpilot`` command."""

from __future__ import annotations

import typer

from leadpilot.cli import db as db_cli
from leadpilot.cli import demo as demo_cli
from leadpilot.cli import followup as followup_cli
from leadpilot.cli import imports as imports_cli
from leadpilot.cli import intelligence as intelligence_cli
from leadpilot.cli import knowledge as knowledge_cli
from leadpilot.cli import orgs as orgs_cli
from leadpilot.cli import scoring as scoring_cli
from leadpilot.cli import server as server_cli

app = typer.Typer(help="LeadPilot: self-hostable Lead Activation System.", no_args_is_help=True)
app.add_typer(db_cli.app, name="db", help="Database: upgrade, backup.")
app.add_typer(orgs_cli.app, name="org", help="Orgs and users.")
app.add_typer(imports_cli.app, name="import", help="Import CSV/JSON data.")
app.add_typer(scoring_cli.app, name="score", help="Lead scoring: train, run, report, promote, rollback.")
app.add_typer(intelligence_cli.app, name="intel", help="Conversation intelligence: analyze a message, evaluate.")
app.add_typer(knowledge_cli.app, name="kb", help="Knowledge base: add, list, search, delete, reindex.")
app.add_typer(followup_cli.app, name="followup", help="Grounded follow-up drafts for leads.")
app.command("export", help="Export CRM records as CSV.")(imports_cli.export)
app.command("serve")(server_cli.serve)
app.command("worker")(server_cli.worker)
app.command("demo")(demo_cli.demo)

if __name__ == "__main__":
    app()
