"""``thidua``: the operators' command line, on Kafka or the embedded log alike (THIDUA_BUS_URL or --bus).

thidua events tail --topic thidua.submissions.events --type PlanSubmitted --from-beginning
thidua consumers lag
thidua dlq list --topic thidua.submissions.events
thidua dlq redrive --topic thidua.submissions.events --partition 0 --offset 12
thidua rebuild scoring
thidua token mint --role operator
thidua seed
thidua export score-table --year 2023 --cluster cl_2023_trung_du_bac --format xlsx --out bang-diem.xlsx
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy import exc as sa_exc

from services import commands
from services.vocabulary import INBOUND_PREFIX, SUITE_TOPICS
from shared import operator
from shared.auth.cli import main as mint_command
from shared.bus import Bus, BusUnavailable, Start, make_bus
from shared.errors import NotFound
from shared.settings import ConfigError, kafka_auth

TOPICS = SUITE_TOPICS


def _bus(ctx: click.Context) -> Bus:
    url = (
        ctx.obj["bus_url"]
        or os.environ.get("THIDUA_BUS_URL")
        or f"file:{os.environ.get('THIDUA_DATA_DIR', 'var')}/eventlog.sqlite"
    )
    return make_bus(url, auth=kafka_auth("operator"))


def _print(rows: list[dict[str, Any]], fmt: str, columns: tuple[str, ...]) -> None:
    if fmt == "json":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False, default=str))
        return
    widths = {c: max([len(c), *(len(str(r.get(c, ""))[:60]) for r in rows)]) for c in columns}
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns))
    for row in rows:
        click.echo("  ".join(str(row.get(c, ""))[:60].ljust(widths[c]) for c in columns))


class SuiteCommands(click.Group):
    """The CLI's command group: a missing setting or an unreachable bus is a message, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command, turning the suite's configuration and bus errors into a clear message."""
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise click.ClickException(f"configuration: {exc}") from exc
        except BusUnavailable as exc:
            raise click.ClickException(f"the event bus does not answer: {exc}") from exc
        except sa_exc.DBAPIError as exc:
            raise click.ClickException(
                f"the database is not ready ({type(exc.orig).__name__}: {str(exc.orig).splitlines()[0]}); "
                "`make migrate` brings every service database to the newest schema"
            ) from exc


@click.group(cls=SuiteCommands)
@click.option(
    "--bus", "bus_url", default=None, help="kafka://host:port or file:path (default: THIDUA_BUS_URL)."
)
@click.pass_context
def main(ctx: click.Context, bus_url: str | None) -> None:
    """Watch and repair the thi đua event streams."""
    ctx.ensure_object(dict)
    ctx.obj["bus_url"] = bus_url


@main.group()
def events() -> None:
    """Read the event streams."""


@events.command("tail")
@click.option("--topic", "topics", multiple=True, help="Topic to read (repeatable; default: every topic).")
@click.option("--type", "event_type", default=None, help="Only events of this type.")
@click.option("--stream", "stream_id", default=None, help="Only events of this stream.")
@click.option("--school", "school_id", default=None, help="Only events about this school.")
@click.option("--from-beginning", is_flag=True, help="Start at the earliest record (the default).")
@click.option("--offset", type=int, default=None, help="Start at this offset of each partition.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    default=None,
    help="Start at the first record at or after this UTC time.",
)
@click.option(
    "--limit", type=int, default=100, show_default=True, help="At most this many records per partition."
)
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@click.pass_context
def tail(
    ctx: click.Context,
    topics: tuple[str, ...],
    event_type: str | None,
    stream_id: str | None,
    school_id: str | None,
    from_beginning: bool,
    offset: int | None,
    since: datetime | None,
    limit: int,
    fmt: str,
) -> None:
    """Print events of some topics, filtered by type, stream or school, from a chosen start."""
    start = Start(offset=offset, timestamp_ms=int(since.timestamp() * 1000) if since else None)
    bus = _bus(ctx)
    wanted = list(topics or operator.event_topics(bus, TOPICS, (INBOUND_PREFIX,)))
    bus.ensure_topics(wanted)
    rows = operator.tail(bus, wanted, start, limit, event_type, stream_id, school_id)
    _print(
        [r.as_json() for r in rows],
        fmt,
        ("time", "topic", "partition", "offset", "type", "stream_id", "school_id"),
    )


@main.group()
def consumers() -> None:
    """Consumer groups."""


@consumers.command("lag")
@click.option("--group", "groups", multiple=True, help="Only this group (repeatable).")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@click.pass_context
def lag(ctx: click.Context, groups: tuple[str, ...], fmt: str) -> None:
    """Print each consumer group's committed offset, end offset and lag per partition."""
    _print(
        operator.lag_rows(_bus(ctx), groups), fmt, ("group", "topic", "partition", "committed", "end", "lag")
    )


@main.group()
def dlq() -> None:
    """Dead-letter queues: list, show, re-drive, discard."""


@dlq.command("list")
@click.option("--topic", required=True, help="The topic (or its .dlq).")
@click.option("--all", "include_decided", is_flag=True, help="Also those already re-driven or discarded.")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@click.pass_context
def dlq_list(ctx: click.Context, topic: str, include_decided: bool, fmt: str) -> None:
    """List the dead letters of a topic."""
    rows = [
        {
            **r.as_json(),
            "error": r.headers.get("dlq_error", ""),
            "consumer": r.headers.get("dlq_consumer", ""),
        }
        for r in operator.dead_letters(_bus(ctx), topic, include_decided)
    ]
    _print(rows, fmt, ("partition", "offset", "time", "type", "consumer", "error"))


def _address(f: Callable[..., None]) -> Callable[..., None]:
    for option in (
        click.option("--offset", type=int, required=True),
        click.option("--partition", type=int, required=True),
        click.option("--topic", required=True, help="The topic (or its .dlq)."),
    ):
        f = option(f)
    return f


@dlq.command("show")
@_address
@click.pass_context
def dlq_show(ctx: click.Context, topic: str, partition: int, offset: int) -> None:
    """Print one dead letter in full (headers and data) as JSON."""
    record = operator.find(_bus(ctx), operator.dlq_topic_of(topic), partition, offset)
    if record is None:
        raise click.ClickException(f"no record at {operator.dlq_topic_of(topic)}:{partition}:{offset}")
    click.echo(json.dumps(operator.describe(record).as_json(), ensure_ascii=False, indent=2, default=str))


@dlq.command("redrive")
@_address
@click.option("--actor", default=lambda: os.environ.get("USER", "operator"), show_default="$USER")
@click.pass_context
def dlq_redrive(ctx: click.Context, topic: str, partition: int, offset: int, actor: str) -> None:
    """Send a dead letter back to its original topic, marked as re-driven."""
    try:
        original = operator.redrive(_bus(ctx), operator.dlq_topic_of(topic), partition, offset, actor)
    except operator.NotFoundInDlq as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"re-driven to {original}")


@dlq.command("discard")
@_address
@click.option("--actor", default=lambda: os.environ.get("USER", "operator"), show_default="$USER")
@click.pass_context
def dlq_discard(ctx: click.Context, topic: str, partition: int, offset: int, actor: str) -> None:
    """Mark a dead letter as dealt with, without re-driving it."""
    try:
        operator.discard(_bus(ctx), operator.dlq_topic_of(topic), partition, offset, actor)
    except operator.NotFoundInDlq as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("discarded")


@main.command()
@click.argument("read_model")
@click.pass_context
def rebuild(ctx: click.Context, read_model: str) -> None:
    """Rebuild a read model, named by its consumer group, from the earliest offset.

    scoring is rebuilt beside the live model and swapped in at once while its worker keeps running; the
    others are emptied and replayed in place (stop their worker first).
    """
    if ctx.obj["bus_url"]:
        os.environ["THIDUA_BUS_URL"] = ctx.obj["bus_url"]
    with click.progressbar(length=1, label=f"rebuilding {read_model}", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        _rebuild(read_model, progress)
    click.echo(f"{read_model} rebuilt")


def _rebuild(read_model: str, progress: Callable[[int, int], None]) -> None:
    try:
        commands.rebuild_read_model(read_model, progress)
    except ValueError as refused:
        raise click.ClickException(str(refused)) from refused


@main.group()
def state() -> None:
    """The state tables the registry and submissions decide from."""


@state.command("rebuild")
@click.argument("service", type=click.Choice(commands.STATEFUL))
def state_rebuild(service: str) -> None:
    """Rebuild a service's state tables from its own events table, in one transaction (no downtime)."""
    click.echo(f"{service}: state rebuilt from {commands.rebuild_state(service)} events")


@main.group()
def personal() -> None:
    """Personal data: the master key that wraps each person's key, and the retention rule."""


@personal.command("rotate")
def personal_rotate() -> None:
    """Rewrap every person's key under THIDUA_PERSONAL_KEY; the old key is THIDUA_PERSONAL_KEY_PREVIOUS.

    No event changes. Afterwards the previous key may be removed from the configuration.
    """
    click.echo(f"submissions: {commands.rotate_personal_keys()} keys rewrapped under the current master key")


@personal.command("retention")
def personal_retention() -> None:
    """Erase now everyone the campaigns' retention rule no longer keeps (the watcher does it each round)."""
    click.echo(f"submissions: {commands.apply_retention()} people erased by the retention rule")


@main.command()
@click.argument("service", type=click.Choice(commands.PUBLISHING))
@click.option(
    "--reconcile",
    is_flag=True,
    help="The database was restored from an older backup: import what the topic has and it lacks.",
)
def recover(service: str, reconcile: bool) -> None:
    """Recover a service's database from its own topic (stop its workers and APIs first).

    Into an empty database (migrated, no events) unless --reconcile. The events come back in their
    order with their ids, the state tables are applied again, the relay's progress is set past them,
    and the service's consumers are brought in step; a report says what was found and done.
    """
    from shared.recovery import DatabaseNotEmpty

    try:
        lines = commands.recover(service, reconcile)
    except DatabaseNotEmpty as exc:
        raise click.ClickException(
            f"{exc} (--reconcile imports into it what the topic has and it lacks)"
        ) from exc
    for line in lines:
        click.echo(f"{service}: {line}")


@main.group()
def token() -> None:
    """Development tokens."""


token.add_command(mint_command, "mint")


@main.command()
def seed() -> None:
    """Load the registry's seed data (2023 year, 2025 mergers); running it again changes nothing."""
    click.echo(f"seed: created {commands.seed()}")


@main.group()
def export() -> None:
    """Exports of results."""


@export.command("score-table")
@click.option("--year", type=int, required=True)
@click.option("--cluster", "cluster_id", required=True)
@click.option("--format", "fmt", type=click.Choice(("xlsx", "csv")), default="xlsx", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_score_table(year: int, cluster_id: str, fmt: str, out: Path) -> None:
    """Write a cluster's score table (Bảng tổng hợp điểm) to a file."""
    from services.scoring.app import exports, queries

    service = commands.build("scoring")
    try:
        table = queries.result(service, year, "score_table", cluster_id)["table"]
        names = queries.school_names(service, [r["school_id"] for r in table])
        bands = queries.band_names(service, year)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        service.close()
    rows = exports.score_table_rows(table, names, bands)
    body = (
        exports.to_csv(exports.SCORE_TABLE_HEADERS, rows)
        if fmt == "csv"
        else exports.to_xlsx(f"{year}-{cluster_id}", exports.SCORE_TABLE_HEADERS, rows)
    )
    out.write_bytes(body)
    click.echo(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
