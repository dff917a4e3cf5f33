"""The drill of issue 38: a lost submissions database comes back from its topic with its personal-data keys
from their sealed export; an officer reads in clear again, a person erased after the export stays erased."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import sqlalchemy as sa

from services.submissions.app.keys import restore_keys
from services.submissions.bootstrap import bootstrap, migrate
from services.submissions.contracts import TOPIC
from services.submissions.wsgi import create_app
from shared import key_backup
from shared.personal import ERASED
from shared.recovery import recover
from tests.personal.test_erasure import LAN, MINH, listed, subject_of
from tests.submissions.conftest import World, auth


def test_keys_come_back_from_their_export_and_an_erasure_after_it_holds(world: World, tmp_path: Path) -> None:
    filing = listed(world)
    export = tmp_path / "backups" / "personal-keys.sealed"
    service = world.service
    service.config = dataclasses.replace(service.config, key_export=str(export))
    ring = service.keyring
    assert ring is not None
    table = service.metadata.tables["personal_keys"]
    assert key_backup.write_if_changed(service.engine, table, ring.master, export)
    assert not key_backup.write_if_changed(service.engine, table, ring.master, export), "unchanged: not again"
    assert LAN["email"].encode() not in export.read_bytes() and export.stat().st_mode & 0o077 == 0
    lan = subject_of(world, LAN["email"])
    erased = world.client.post(
        f"/personal/subjects/{lan}/erasure", json={"reason": "Theo yêu cầu"}, headers=auth()
    )
    assert erased.status_code == 200  # after the export: the export still holds Lan's key
    service.relay(TOPIC).drain()

    settings = service.settings
    service.close()
    engine = sa.create_engine(settings.database_url)
    with engine.begin() as conn:  # the database is lost
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    service.metadata.drop_all(engine)
    engine.dispose()
    full = dataclasses.replace(service.config, key_export=str(export))
    migrate(full)
    recovered = bootstrap(full)
    recover(recovered, TOPIC)
    lines = restore_keys(recovered)
    assert "2 restored" in lines[0] and "1 erased again" in lines[0], lines
    read = create_app(recovered).test_client().get(f"/filings/{filing['submission_id']}", headers=auth())
    first, second = read.get_json()["payload"]["officers"]
    assert first["name"] == first["email"] == ERASED, "erased after the export, erased after the recovery"
    assert (second["name"], second["email"]) == (MINH["name"], MINH["email"]), "readable again"
    recovered.close()
