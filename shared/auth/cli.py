"""Mint development tokens: ``thidua-token --role academy_admin --subject alice``."""

from __future__ import annotations

import os
from datetime import timedelta

import click

from shared.auth import ROLES, mint_token


@click.command()
@click.option("--role", type=click.Choice(ROLES), required=True, help="The caller's role.")
@click.option("--subject", default="dev", show_default=True, help="Who the token is for.")
@click.option(
    "--tenant", default=None, help="Cluster id, school id or province/ministry code for tenant roles."
)
@click.option("--hours", default=12, show_default=True, help="How long the token stays valid.")
def main(role: str, subject: str, tenant: str | None, hours: int) -> None:
    """Print a bearer token signed with THIDUA_JWT_SECRET."""
    secret = os.environ.get("THIDUA_JWT_SECRET")
    if not secret:
        raise click.UsageError("set THIDUA_JWT_SECRET (the same value the services use)")
    try:
        click.echo(mint_token(secret, subject, role, tenant, timedelta(hours=hours)))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


if __name__ == "__main__":
    main()
