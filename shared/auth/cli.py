"""Mint development tokens: ``thidua-token --role academy_admin --subject alice``."""

from __future__ import annotations

from datetime import timedelta

import click

from shared.auth import ROLES, mint_token
from shared.settings import ConfigError, jwt_secret


@click.command()
@click.option("--role", type=click.Choice(ROLES), required=True, help="The caller's role.")
@click.option("--subject", default="dev", show_default=True, help="Who the token is for.")
@click.option(
    "--tenant", default=None, help="Cluster id, school id or province/ministry code for tenant roles."
)
@click.option("--hours", default=12, show_default=True, help="How long the token stays valid.")
def main(role: str, subject: str, tenant: str | None, hours: int) -> None:
    """Print a bearer token signed with the suite's key (THIDUA_JWT_SECRET or make run's jwt-secret file)."""
    try:
        secret = jwt_secret()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        click.echo(mint_token(secret, subject, role, tenant, timedelta(hours=hours)))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


if __name__ == "__main__":
    main()
