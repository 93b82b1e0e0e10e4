from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from leadpilot.cli.main import app
from leadpilot.crm.models import Contact
from leadpilot.imports.models import ImportJob

runner = CliRunner()


def test_import_waits_with_progress_and_prints_counts_and_errors(db: Session, org_a, tmp_path: Path) -> None:
    org, _ = org_a
    source = tmp_path / "people.csv"
    source.write_text("E-mail,Name\ncli@example.com,Cli User\nbroken,Nope\n")
    result = runner.invoke(app, ["import", "contacts", str(source), "--org", org.slug])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged, 1 with errors" in result.output
    assert "row 3 [E-mail]: not a valid email address" in result.output
    contact = db.scalar(select(Contact).where(Contact.org_id == org.id))
    assert contact is not None
    assert (contact.email, contact.first_name, contact.last_name) == ("cli@example.com", "Cli", "User")

    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"Name": null}')
    again = runner.invoke(app, ["import", "contacts", str(source), "--org", org.slug, "--mapping", f"@{mapping}"])
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 1 unchanged" in again.output

    exported = tmp_path / "out.csv"
    result = runner.invoke(app, ["export", "contacts", "--org", org.slug, "--output", str(exported)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(exported.open()))
    assert [r["email"] for r in rows] == ["cli@example.com"]


def test_import_no_wait_queues_and_bad_files_fail_clearly(db: Session, org_a, tmp_path: Path) -> None:
    org, _ = org_a
    source = tmp_path / "events.csv"
    source.write_text("email,type,occurred_at\na@example.com,call,2025-01-01T00:00:00Z\n")
    result = runner.invoke(app, ["import", "activities", str(source), "--org", org.slug, "--no-wait"])
    assert result.exit_code == 0, result.output
    assert "queued (1 rows)" in result.output
    job = db.scalar(select(ImportJob).where(ImportJob.org_id == org.id))
    assert job is not None
    assert job.entity == "activities"

    bad = tmp_path / "bad.csv"
    bad.write_text("Name\nJane\n")
    result = runner.invoke(app, ["import", "contacts", str(bad), "--org", org.slug])
    assert result.exit_code == 1
    assert "No column maps to email" in result.output
    result = runner.invoke(app, ["import", "contacts", str(source), "--org", org.slug, "--mapping", "{nope"])
    assert result.exit_code == 2
