"""Submissions fixtures: the seeded 2023 registry relayed into a submissions service, and factories."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from services.registry.app.campaigns import extend_deadline
from services.registry.bootstrap import bootstrap as registry_bootstrap
from services.registry.bootstrap import migrate as registry_migrate
from services.registry.seed.command import seed
from services.registry.seed.schools_2023 import school_id
from services.registry.service import Registry
from services.submissions.bootstrap import bootstrap, migrate, registry_view_runner
from services.submissions.config import SubmissionsSettings
from services.submissions.service import Submissions
from services.submissions.tables import events
from services.submissions.wsgi import create_app
from services.vocabulary import REGISTRY_TOPIC
from shared.auth import mint_token
from shared.eventstore import Context
from tests.factories import TEST_SECRET, make_settings, service_settings

CLUSTER = "cl_2023_trung_du_bac"
HOA_BINH, PHU_THO, YEN_BAI, TUYEN_QUANG = (
    school_id(c) for c in ("HOABINH", "PHUTHO", "YENBAI", "TUYENQUANG")
)
JUSTICE = school_id("BO-TUPHAP")
INTEGRATION_KEY = "hoa-binh-provincial-committee-key-0123456789"
PHU_THO_KEY = "phu-tho-provincial-committee-key-9876543210"


@dataclass
class World:
    """A submissions service fed with the seeded registry, its client, and a settable clock."""

    service: Submissions
    registry: Registry
    client: FlaskClient
    now: datetime

    def sync_registry(self) -> None:
        """Relay the registry's new events and let the submissions registry view catch up."""
        self.registry.relay(REGISTRY_TOPIC).drain()
        view = registry_view_runner(self.service)
        view.run_until_caught_up(timeout=120)
        view.close()

    def extend_deadline(self, code: str, due: str, filer_id: str | None = None) -> None:
        """Extend a 2023 deadline in the registry (for all, or one filer) and let submissions learn it."""
        day, context = date.fromisoformat(due), Context(actor="test")
        extend_deadline(self.registry, 2023, code, day, "Gia hạn", context, filer_id)
        self.sync_registry()

    def at(self, moment: str) -> None:
        """Set the clock to a moment (ISO, with its offset)."""
        self.now = datetime.fromisoformat(moment).astimezone(UTC)

    def event_types(self) -> list[str]:
        with self.service.engine.connect() as conn:
            return list(conn.execute(sa.select(events.c.type).order_by(events.c.position)).scalars())


def submissions_settings(
    tmp_path: Path, database_url: str, bus_url: str, kafka: Callable[[str], Any] | None = None
) -> SubmissionsSettings:
    """Return submissions settings under a test directory (``kafka`` gives a principal's credentials)."""
    auth = kafka("submissions") if kafka else None
    common = make_settings("submissions", tmp_path, database_url=database_url, bus_url=bus_url, kafka=auth)
    return SubmissionsSettings(
        common=common,
        documents_dir=str(tmp_path / "documents"),
        max_upload_bytes=200_000,
        watch_interval=0.2,
        integration_keys={"HOABINH": INTEGRATION_KEY, "PHUTHO": PHU_THO_KEY},
    )


TEMPLATES: dict[str, Path] = {}
"""Seeded worlds on SQLite and the embedded log, one a submissions database name, kept for the session:
a test's world is a copy of one (its files copied into the test's directory), not seeded again."""


def seeded_world(
    tmp_path: Path, database_url: str, bus_url: str, kafka: Callable[[str], Any] | None = None
) -> World:
    """Seed a registry onto the bus, then build a submissions service whose registry view caught up (on
    SQLite and the embedded log in the test's directory: a copy of the session's seeded template)."""
    local = _local_files(tmp_path, database_url, bus_url) if kafka is None else None
    if local is None:
        return _world(tmp_path, database_url, bus_url, kafka, fresh=True)
    if local not in TEMPLATES:
        template = Path(tempfile.mkdtemp(prefix="thidua-world-"))
        seeded = _world(
            template, f"sqlite:///{template / local}", f"file:{template / 'eventlog.sqlite'}", None, True
        )
        seeded.service.close()
        seeded.registry.close()  # the last connections closed: each database is whole in its file
        TEMPLATES[local] = template
    for path in TEMPLATES[local].glob("*.sqlite"):
        shutil.copy(path, tmp_path / path.name)
    return _world(tmp_path, database_url, bus_url, kafka, fresh=False)


def _local_files(tmp_path: Path, database_url: str, bus_url: str) -> str | None:
    """Return the submissions database's file name when the world lives in files of the test's directory."""
    database = database_url.removeprefix("sqlite:///")
    if database == database_url or Path(database).parent != tmp_path:
        return None
    return Path(database).name if bus_url == f"file:{tmp_path / 'eventlog.sqlite'}" else None


def _world(
    tmp_path: Path, database_url: str, bus_url: str, kafka: Callable[[str], Any] | None, fresh: bool
) -> World:
    """Build the registry and submissions over their databases, seeding and relaying when ``fresh``."""
    registry_settings = service_settings(
        "registry", tmp_path, bus_url=bus_url, kafka=kafka("registry") if kafka else None
    )
    settings = submissions_settings(tmp_path, database_url, bus_url, kafka)
    if fresh:
        registry_migrate(registry_settings)
        migrate(settings)
    registry = registry_bootstrap(registry_settings)
    service = bootstrap(settings)
    world = World(
        service, registry, create_app(service).test_client(), datetime(2023, 3, 1, 3, 0, tzinfo=UTC)
    )
    service.clock = lambda: world.now
    if fresh:
        seed(registry)
        world.sync_registry()
    return world


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    world = seeded_world(tmp_path, database_url, f"file:{tmp_path / 'eventlog.sqlite'}")
    yield world
    world.service.close()
    world.registry.close()


def auth(role: str = "academy_admin", tenant: str | None = None) -> dict[str, str]:
    """Return the Authorization header of a token in a role."""
    return {"Authorization": f"Bearer {mint_token(TEST_SECRET, 'tester', role, tenant)}"}


def officer(school: str) -> dict[str, str]:
    """Return the header of a school officer of a school."""
    return auth("school_officer", school)


def head(cluster: str = CLUSTER) -> dict[str, str]:
    """Return the header of a cluster head."""
    return auth("cluster_head", cluster)


def plan(**overrides: Any) -> dict[str, Any]:
    """Return a Form 01 payload."""
    return {"summary": "Kế hoạch thi đua năm 2023", "registered_titles": ["Cờ thi đua"], **overrides}


def figures(**overrides: Any) -> dict[str, Any]:
    """Return Form 04 appendix figures."""
    values = {
        "staff": 50,
        "lao_dong_tien_tien": 45,
        "chien_si_thi_dua_co_so": 6,
        "collectives": 8,
        "tap_the_lao_dong_tien_tien": 6,
        "tap_the_lao_dong_xuat_sac": 2,
        "commended": 5,
        "party_orgs": 5,
        "party_orgs_good_or_better": 4,
        "party_orgs_excellent": 1,
        "units": 8,
        "units_good_or_better": 8,
        "departments": 8,
        "departments_responding": 8,
        "discipline_violations": 0,
        "standard_school_goal_met": True,
    }
    values.update(overrides)
    return values


def scores(**points: float) -> dict[str, Any]:
    """Return a Form 5.1 payload with the given points per criterion (others at a default)."""
    defaults = {
        "CHU_DONG.1": 7,
        "CHU_DONG.2": 6,
        "DONG_BO.1": 5,
        "DONG_BO.2": 4,
        "DONG_BO.3": 4,
        "DOT_PHA.1": 13,
        "KY_CUONG.1": 8,
        "KY_CUONG.2": 6,
        "CHAT_LUONG.1": 7,
        "CHAT_LUONG.2": 6,
        "HIEU_QUA.1": 9,
        "CHI_TIEU.1": 14,
    }
    defaults.update(points)
    return {"scores": [{"criterion": c, "points": p} for c, p in defaults.items()], "bonus": []}


def file(world: World, form: str, payload: dict[str, Any], headers: dict[str, str], **body: Any):  # type: ignore[no-untyped-def]
    """POST a filing."""
    return world.client.post(
        "/filings", json={"year": 2023, "form": form, "payload": payload, **body}, headers=headers
    )


def pdf_bytes(text: str = "Báo cáo") -> bytes:
    """Return the bytes of a (minimal) PDF document."""
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def xlsx_bytes() -> bytes:
    """Return the bytes of a minimal XLSX container."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()
