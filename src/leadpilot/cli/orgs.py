from __future__ import annotations

import typer

from leadpilot.auth.roles import Role
from leadpilot.db.session import transaction
from leadpilot.orgs.schemas import UserCreate
from leadpilot.orgs.service import UserService, create_org

app = typer.Typer(no_args_is_help=True)


@app.command("create")
def create(
    name: str = typer.Option(..., help="Company name."),
    owner_email: str = typer.Option(..., help="Email of the first owner."),
    owner_name: str = typer.Option("Owner", help="Name of the first owner."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    timezone: str = typer.Option("UTC"),
    currency: str | None = typer.Option(None, help="Default currency (default LEADPILOT_DEFAULT_CURRENCY)."),
    phone_region: str | None = typer.Option(
        None, help="Region for phone numbers written without +country code (default LEADPILOT_DEFAULT_PHONE_REGION)."
    ),
) -> None:
    """Create an org and its owner."""
    with transaction() as session:
        org, _ = create_org(session, name=name, owner_email=owner_email, owner_name=owner_name,
                            owner_password=password, timezone=timezone,
                            default_currency=currency, default_phone_region=phone_region)  # fmt: skip
        typer.echo(f"created org {org.name!r} (slug {org.slug})")


@app.command("add-user")
def add_user(
    email: str = typer.Option(...),
    name: str = typer.Option(...),
    role: Role = typer.Option(Role.agent),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    org: str | None = typer.Option(None, help="Org slug (default: the only org)."),
) -> None:
    """Add a user to an org."""
    from leadpilot.cli.common import resolve_org, system_principal

    with transaction() as session:
        target = resolve_org(session, org)
        user = UserService(session, system_principal(target)).create(
            UserCreate(email=email, name=name, password=password, role=role)
        )
        typer.echo(f"added {user.email} as {user.role} to {target.slug}")
