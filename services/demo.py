"""A lived demonstration year, loaded through the public APIs with a clock the loader moves.

``python -m services.demo`` (run by ``make run`` unless ``DEMO=0``) plays the 2023 year of the seeded
registry as the schools, cluster heads, provincial committees and the Academy would: every form of the
letter, most on time and some late, one school with no Form 01 (so not rated), a cross-inspection with
verified scores, reviews (one filing returned and corrected), the conference vote, the cluster dossiers and
signed Form 09 confirmations on the inbound topics. Nothing is written to a table by hand: each step is an
API call (the same Flask apps, called in-process so the loader can set the time) or an event a provincial
system publishes. Everything it does is signed ``…:minh-hoa`` (demonstration) and every text it files
starts with ``[Minh họa]``. Loading it again changes nothing.
"""

from __future__ import annotations

import io
import json
import os
import random
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient

from services import commands
from services.vocabulary import REGISTRY_TOPIC, SCORING_TOPIC, SUBMISSIONS_TOPIC, inbound_topic
from shared.auth import mint_token
from shared.bus import OutgoingRecord
from shared.envelope import Envelope
from shared.files import keep_private, write_private
from shared.signing import SIGNATURE_HEADER, signature
from shared.time import LOCAL_TIME

YEAR = 2023
SUBJECT = "minh-hoa"
MARK = "[Minh họa]"
NOT_FILING_PLAN = "YENBAI"  # the school that never files Form 01, so is not rated this year
LATE_REPORTS = ("BACKAN", "LAICHAU", "SOCTRANG")  # Form 04 and the score sheet after 5 November
LATE_FORM_09 = "LANGSON"
"""The province whose second copy of Form 09 arrives after the main decision: its school's award waits
for a supplementary decision."""
LATE_ON = "2024-02-05"
RNG_SEED = 2023


def at(moment: str) -> datetime:
    """Return a moment given in Vietnam time (``2023-03-03 10:00``)."""
    return datetime.fromisoformat(moment).replace(tzinfo=LOCAL_TIME).astimezone(UTC)


@dataclass
class Clock:
    """The loader's time, which every service it built reads."""

    now: datetime = field(default_factory=lambda: at("2023-02-20 08:00"))

    def __call__(self) -> datetime:
        return self.now


class Refused(RuntimeError):
    """An API call of the demonstration was refused: the demo is out of step with the suite's rules."""


@dataclass
class Year:
    """The services the loader drives, their API clients, and the registry's 2023 facts it plays with."""

    services: dict[str, Any]
    clients: dict[str, FlaskClient]
    clock: Clock
    secret: str
    schools: dict[str, dict[str, Any]] = field(default_factory=dict)
    clusters: list[dict[str, Any]] = field(default_factory=list)

    def token(self, role: str, tenant: str | None = None) -> dict[str, str]:
        """Return the Authorization header of the demonstration's user in a role."""
        return {"Authorization": f"Bearer {mint_token(self.secret, SUBJECT, role, tenant)}"}

    def call(self, service: str, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
        """Call a service's API at the loader's time; a refusal stops the demo with the API's answer."""
        response = getattr(self.clients[service], method)(path, json=body, headers=headers)
        if response.status_code >= 400:
            raise Refused(f"{method.upper()} {path}: {response.status_code} {response.get_json()}")
        return response.get_json()

    def file(
        self,
        when: str,
        form: str,
        payload: dict[str, Any],
        papers: Callable[[], dict[str, bytes]] | None = None,
        **filer: str,
    ) -> dict[str, Any]:
        """File a form at a moment, as the school's officer or the cluster's head, with the ``papers``
        rendered at that moment attached (as the portal attaches Mẫu 06, 07 and 08 to a dossier)."""
        self.clock.now = at(when)
        if "school_id" in filer:
            headers = self.token("school_officer", filer["school_id"])
        else:
            headers = self.token("cluster_head", filer["cluster_id"])
        names = {self.upload(name, content, headers): name for name, content in (papers or dict)().items()}
        body = {"year": YEAR, "form": form, "payload": payload, **filer}
        if names:
            body |= {"documents": list(names), "document_names": names}
        return dict(self.call("submissions", "post", "/filings", headers, body))

    def upload(self, name: str, content: bytes, headers: dict[str, str]) -> str:
        """Store a document in submissions; return its SHA-256."""
        sent = {"file": (io.BytesIO(content), name)}
        response = self.clients["submissions"].post("/documents", data=sent, headers=headers)
        if response.status_code >= 400:
            raise Refused(f"POST /documents: {response.status_code} {response.get_json()}")
        return str(response.get_json()["sha256"])

    def get(self, service: str, path: str, **params: Any) -> Any:
        """Read an API as the cluster head of ``self.reader`` (what the portal's papers read)."""
        query = f"?{urlencode(params, doseq=True)}" if params else ""
        return self.call(service, "get", f"{path}{query}", self.token("cluster_head", self.reader))

    reader: str = ""


def load(until: str = "all") -> str:
    """Play the demonstration year into an empty 2023 year; return what was done.

    Then the Academy decides 2023's awards and opens 2024 from 2023 with its clusters carried forward,
    unless ``until`` is ``proposals``: the year then stops with the proposals before the Academy. Each
    part is done once: loading again changes nothing.
    """
    registry = commands.build("registry")
    try:
        schools, clusters = _registry_year(registry)
        if not clusters:
            return "no 2023 clusters in the registry (run make seed first): nothing to do"
        sheets = {s: _score_sheet(random.Random(f"{RNG_SEED}-{s}"), schools[s]) for s in schools}
        integration_keys(sorted({schools[s]["code"] for c in clusters for s in c["member_ids"]}))
        submissions = commands.build("submissions")
        scoring = commands.build("scoring")
        try:
            clock = Clock()
            registry.clock = submissions.clock = scoring.clock = clock
            built = {"registry": registry, "submissions": submissions, "scoring": scoring}
            year = _year(built, clock, schools, clusters)
            counts = {} if _loaded(submissions) else _play(year, sheets)
            if until != "proposals":
                counts |= _academy_turns_the_year(year)
        finally:
            scoring.close()
            submissions.close()
    finally:
        registry.close()
    if not counts:
        return "the demonstration year is already loaded: nothing to do"
    return "demonstration year loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items())


def _registry_year(registry: Any) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Return the 2023 schools by id and the 2023 clusters, as the registry's API gives them."""
    from services.registry.wsgi import create_app as registry_app

    client = registry_app(registry).test_client()
    headers = {"Authorization": f"Bearer {mint_token(registry.settings.jwt_secret, SUBJECT, 'operator')}"}
    found = client.get(f"/schools?per_page=500&year={YEAR}", headers=headers).get_json() or []
    schools = {s["school_id"]: s for s in found}
    clusters = client.get(f"/clusters?year={YEAR}&per_page=100", headers=headers).get_json() or []
    for cluster in clusters:
        cluster["member_ids"] = [s for s in cluster["member_ids"] if s in schools]
    return schools, [c for c in clusters if c["member_ids"]]


def _loaded(submissions: Any) -> bool:
    """Return whether 2023 already has filings (the demonstration's, or anyone's)."""
    import sqlalchemy as sa

    table = submissions.metadata.tables["submissions"]
    with submissions.engine.connect() as conn:
        return (
            conn.execute(sa.select(table.c.submission_id).where(table.c.year == YEAR).limit(1)).first()
            is not None
        )


def _year(
    built: dict[str, Any], clock: Clock, schools: dict[str, Any], clusters: list[dict[str, Any]]
) -> Year:
    """Build the API clients of the services the loader drives."""
    from services.registry.wsgi import create_app as registry_app
    from services.scoring.wsgi import create_app as scoring_app
    from services.submissions.wsgi import create_app as submissions_app

    clients = {
        "registry": registry_app(built["registry"]).test_client(),
        "submissions": submissions_app(built["submissions"]).test_client(),
        "scoring": scoring_app(built["scoring"]).test_client(),
    }
    return Year(built, clients, clock, built["registry"].settings.jwt_secret, schools, clusters)


def _sync(year: Year) -> None:
    """Let submissions learn the registry (its relay, then the registry view)."""
    from services.submissions.bootstrap import registry_view_runner

    year.services["registry"].relay(REGISTRY_TOPIC).drain()
    view = registry_view_runner(year.services["submissions"])
    try:
        view.run_until_caught_up(timeout=300)
    finally:
        view.close()


def _play(year: Year, sheets: dict[str, tuple[dict[str, Any], float]]) -> dict[str, int]:
    """Play the year, month by month; return how many filings, reviews and confirmations it made."""
    from services.submissions.app.watcher import check_deadlines

    rng = random.Random(RNG_SEED)
    counts = {"filings": 0, "reviews": 0, "confirmations": 0}
    _sync(year)
    submissions = year.services["submissions"]
    members = {c["cluster_id"]: [s for s in c["member_ids"] if s in year.schools] for c in year.clusters}
    code = {s: year.schools[s]["code"] for s in year.schools}
    plans: dict[str, dict[str, Any]] = {}
    for cluster in year.clusters:
        for n, school in enumerate(members[cluster["cluster_id"]]):
            if code[school] == NOT_FILING_PLAN:
                continue
            when = f"2023-03-0{1 + n % 4} {9 + n % 6:02d}:15" if n != 5 else "2023-03-06 09:00"  # one late
            plans[school] = year.file(when, "01", _plan(year.schools[school]), school_id=school)
            counts["filings"] += 1
    year.clock.now = at("2023-03-06 08:00")
    check_deadlines(submissions)
    counts["reviews"] += _review_plans(year, plans)
    for cluster in year.clusters:
        counts["filings"] += _cluster_spring(year, cluster, members[cluster["cluster_id"]])
    year.clock.now = at("2023-08-11 08:00")
    check_deadlines(submissions)
    for cluster in year.clusters:
        for school in members[cluster["cluster_id"]]:
            late = code[school] in LATE_REPORTS
            when = "2023-11-07 10:00" if late else f"2023-11-0{1 + rng.randrange(4)} 15:30"
            year.file(when, "04", _report(rng), school_id=school)
            sheet = sheets[school][0]
            year.file(
                when.replace("10:00", "10:30").replace("15:30", "16:00"),
                sheet["form"],
                sheet["payload"],
                school_id=school,
            )
            counts["filings"] += 2
    _score(year)
    for cluster in year.clusters:
        counts["filings"] += _cluster_autumn(year, cluster, members[cluster["cluster_id"]])
    year.clock.now = at("2023-12-01 08:00")
    check_deadlines(submissions)
    counts["confirmations"] += _confirmations(year)
    submissions.relay(SUBMISSIONS_TOPIC).drain()
    return counts


def _plan(school: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary": f"{MARK} Kế hoạch triển khai phong trào thi đua năm 2023 của {school['name']}.",
        "registered_titles": ["Tập thể lao động xuất sắc", "Cờ thi đua của Học viện"],
    }


def _review_plans(year: Year, plans: dict[str, dict[str, Any]]) -> int:
    """The Academy accepts the plans; it returns one for completion, which is corrected and accepted."""
    academy = year.token("academy_admin")
    reviewed = 0
    for n, (school, filing) in enumerate(sorted(plans.items())):
        path = f"/filings/{filing['submission_id']}"
        year.clock.now = at("2023-03-08 14:00")
        if n == 0:
            reason = f"{MARK} Chưa ghi rõ danh hiệu thi đua đăng ký của từng tập thể."
            year.call(
                "submissions", "post", f"{path}/review", academy, {"decision": "return", "reason": reason}
            )
            year.clock.now = at("2023-03-10 09:00")
            corrected = {**_plan(year.schools[school]), "notes": f"{MARK} Đã bổ sung theo yêu cầu."}
            year.call(
                "submissions", "put", path, year.token("school_officer", school), {"payload": corrected}
            )
            year.clock.now = at("2023-03-11 10:00")
            reviewed += 1
        year.call("submissions", "post", f"{path}/review", academy, {"decision": "accept"})
        reviewed += 1
    return reviewed


FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Thị", "Văn", "Minh", "Thu", "Đức", "Ngọc", "Quang")
GIVEN = ("Hà", "Lan", "Hùng", "Mai", "Sơn", "Hương", "Tuấn", "Linh", "Dũng", "Hạnh", "Thắng")


def officer_name(code: str) -> str:
    """Return an invented Vietnamese name for a school's emulation officer (the same for a school)."""
    n = sum(ord(c) * (i + 1) for i, c in enumerate(code))
    return f"{FAMILY[n % len(FAMILY)]} {MIDDLE[n // 7 % len(MIDDLE)]} {GIVEN[n // 11 % len(GIVEN)]}"


def _cluster_spring(year: Year, cluster: dict[str, Any], members: list[str]) -> int:
    """The cluster's plan, officers, launch, participation, a cross-inspection and the mid-year review."""
    cid = cluster["cluster_id"]
    filed = 0
    year.file(
        "2023-03-12 09:00",
        "02",
        {
            "purpose": f"{MARK} Đẩy mạnh phong trào thi đua trong cụm.",
            "contents": ["Kiểm tra chéo", "Hội thi giảng viên dạy giỏi"],
            "division_of_work": "Cụm trưởng chủ trì, cụm phó phối hợp.",
        },
        cluster_id=cid,
    )
    officers = [
        {
            "school_id": s,
            "name": officer_name(year.schools[s]["code"]),
            "position": "Chánh Văn phòng",
            "email": f"thidua.{year.schools[s]['code'].lower()}@minh-hoa.invalid",
            "phone": f"0200 {sum(map(ord, year.schools[s]['code'])) % 1000:03d} 000",
        }
        for s in members
    ]
    year.file("2023-03-13 09:00", "03", {"officers": officers}, cluster_id=cid)
    year.file(
        "2023-03-20 09:00",
        "PHAT_DONG",
        {"launched_on": "2023-03-20", "summary": f"{MARK} Phát động thi đua."},
        cluster_id=cid,
    )
    filed += 3
    for school in members:
        year.file(
            "2023-03-25 10:00",
            "DANG_KY_CUM",
            {"activities": ["Hội thi giảng viên dạy giỏi"]},
            school_id=school,
        )
        filed += 1
    if len(members) >= 2:
        inspection = {
            "inspected_school_id": members[0],
            "inspecting_school_ids": [members[1]],
            "cross_inspection": True,
            "inspected_on": "2023-06-15",
            "findings": f"{MARK} Kiểm tra chéo: đơn vị thực hiện tốt kế hoạch thi đua.",
            "verified_scores": [{"criterion": "DOT_PHA.1", "points": 14}],
        }
        year.file("2023-06-16 10:00", "KIEM_TRA", inspection, cluster_id=cid)
        filed += 1
    year.file(
        "2023-07-25 09:00",
        "SO_KET",
        {"held_on": "2023-07-25", "summary": f"{MARK} Sơ kết 6 tháng."},
        cluster_id=cid,
    )
    report_day = "2023-08-12 09:00" if cluster == year.clusters[-1] else "2023-08-05 09:00"  # one late
    year.file(report_day, "BAO_CAO_SO_KET", {"summary": f"{MARK} Báo cáo sơ kết 6 tháng."}, cluster_id=cid)
    return filed + 2


def _report(rng: random.Random) -> dict[str, Any]:
    staff = rng.randrange(40, 90)
    advanced = rng.randrange(int(staff * 0.75), staff + 1)
    units = rng.randrange(6, 12)
    return {
        "summary": f"{MARK} Báo cáo tổng kết phong trào thi đua năm 2023.",
        "figures": {
            "staff": staff,
            "lao_dong_tien_tien": advanced,
            "chien_si_thi_dua_co_so": max(1, advanced // 8),
            "collectives": units,
            "tap_the_lao_dong_tien_tien": units - 2,
            "tap_the_lao_dong_xuat_sac": rng.randrange(0, 3),
            "commended": rng.randrange(2, 9),
            "party_orgs": 5,
            "party_orgs_good_or_better": rng.randrange(3, 6),
            "party_orgs_excellent": rng.randrange(0, 3),
            "units": units,
            "units_good_or_better": rng.randrange(units - 2, units + 1),
            "departments": units,
            "departments_responding": units,
            "discipline_violations": 0 if rng.random() > 0.1 else 1,
            "standard_school_goal_met": rng.random() > 0.2,
        },
    }


CRITERIA = {
    "CHU_DONG.1": 8,
    "CHU_DONG.2": 7,
    "DONG_BO.1": 5,
    "DONG_BO.2": 5,
    "DONG_BO.3": 5,
    "DOT_PHA.1": 15,
    "KY_CUONG.1": 8,
    "KY_CUONG.2": 7,
    "CHAT_LUONG.1": 8,
    "CHAT_LUONG.2": 7,
    "HIEU_QUA.1": 10,
    "CHI_TIEU.1": 15,
}


def _score_sheet(rng: random.Random, school: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Return a school's score sheet (5.1 or 5.2 by its kind) and its total: most between 75 and 98."""
    share = rng.uniform(0.75, 0.98)
    points = {c: round(min(m, m * share + rng.uniform(-0.5, 0.5)) * 2) / 2 for c, m in CRITERIA.items()}
    bonus = 2.0 if rng.random() > 0.7 else 0.0
    claims = [{"criterion": "THUONG.1", "points": bonus}] if bonus else []
    payload = {"scores": [{"criterion": c, "points": p} for c, p in points.items()], "bonus": claims}
    form = "5.1" if school["kind"] == "provincial" else "5.2"
    return {"form": form, "payload": payload}, sum(points.values()) + bonus


def _scored(year: Year, cluster_id: str) -> list[dict[str, Any]]:
    """Return the cluster's score table as scoring computed it from the filings so far."""
    from services.scoring.app import queries

    return list(queries.result(year.services["scoring"], YEAR, "score_table", cluster_id)["table"])


def _proposals(year: Year, cluster_id: str) -> list[dict[str, Any]]:
    """Return the awards scoring proposes for the cluster (the conference then votes on them)."""
    from services.scoring.app import queries

    return list(queries.result(year.services["scoring"], YEAR, "proposals", cluster_id)["proposals"])


def _score(year: Year) -> None:
    """Let scoring compute the year so far (the score table the conference discusses)."""
    from services.scoring.bootstrap import scoring_runner

    year.services["submissions"].relay(SUBMISSIONS_TOPIC).drain()
    runner = scoring_runner(year.services["scoring"])
    try:
        runner.run_until_caught_up(timeout=300)
    finally:
        runner.close()


def _cluster_autumn(year: Year, cluster: dict[str, Any], members: list[str]) -> int:
    """The conference, its vote (Mẫu 07), the proposals (Mẫu 08) and the dossier with the nomination."""
    cid = cluster["cluster_id"]
    year.file(
        "2023-11-08 09:00",
        "HOI_NGHI_TONG_KET",
        {
            "held_on": "2023-11-20",
            "venue": f"{MARK} Hội trường của cụm trưởng",
            "programme": f"{MARK} Tổng kết, bình xét, bỏ phiếu.",
        },
        cluster_id=cid,
    )
    table = _scored(year, cid)
    ranked = [row["school_id"] for row in table if row["rank"] is not None]
    voters = len(members)
    proposals = _proposals(year, cid)
    last_cluster = cluster == year.clusters[-1]
    ballots = [  # the conference votes; in one cluster the last proposal falls short of a majority
        {
            "school_id": p["school_id"],
            "award": p["award"],
            "voters": voters,
            "in_favour": voters // 2 if last_cluster and n == len(proposals) - 1 else voters - n,
        }
        for n, p in enumerate(proposals)
    ]
    dossier = {
        "report_06": f"{MARK} Báo cáo tổng kết công tác thi đua của cụm năm 2023.",
        "minutes_07": f"{MARK} Biên bản họp bình xét thi đua, bỏ phiếu kín.",
        "score_table": [{"school_id": row["school_id"], "score": row["final"]} for row in table],
        "ballots": ballots,
        "proposals_08": ballots,
        "nomination": {"head_school_id": ranked[0], "deputy_school_ids": ranked[1:2]},
    }
    year.file(
        "2023-11-28 09:00", "HO_SO_CUM", dossier, lambda: _papers(year, cluster, dossier), cluster_id=cid
    )
    return 2


def _papers(year: Year, cluster: dict[str, Any], dossier: dict[str, Any]) -> dict[str, bytes]:
    """Render the cluster's Mẫu 06, 07 and 08 as the portal does when a dossier is filed."""
    from services.portal import papers

    year.reader = cluster["cluster_id"]
    names = {s: school["name"] for s, school in year.schools.items()}
    filing = {"payload": dossier, "filed_at": year.clock.now.isoformat()}
    return papers.for_filing(papers.gather(year, cluster, names, year.clock.now, filing))


def _confirmations(year: Year) -> int:
    """The provincial committees confirm both copies of Form 09 of each proposed school, signed."""
    submissions = year.services["submissions"]
    keys = dict(submissions.config.integration_keys)
    records: list[OutgoingRecord] = []
    for cluster in year.clusters:
        for proposal in _proposals(year, cluster["cluster_id"]):
            school = year.schools[proposal["school_id"]]
            records += _confirmation(school, keys, (1,) if school["code"] == LATE_FORM_09 else (1, 2))
    if not records:
        return 0
    from services.submissions.bootstrap import inbound_runner

    submissions.bus.ensure_topics(sorted({r.topic for r in records}))
    submissions.bus.publish(records)
    runner = inbound_runner(submissions)
    try:
        runner.run_until_caught_up(timeout=300)
    finally:
        runner.close()
    return len(records)


def _confirmation(
    school: dict[str, Any], keys: dict[str, str], copies: tuple[int, ...], on: str = "2023-11-25"
) -> list[OutgoingRecord]:
    """Return copies of a school's Form 09 confirmation, signed by its provincial system (if known)."""
    system = school["code"]
    if system not in keys:
        return []
    records = []
    for copy in copies:
        data = {
            "year": YEAR,
            "school_id": school["school_id"],
            "copy": copy,
            "confirmed_by": system,
            "confirmed_on": on,
            "signatory": f"{MARK} Phó Bí thư Thường trực",
        }
        stream = f"confirmation-{school['school_id']}"
        envelope = Envelope("AchievementReportConfirmed", f"integration/{system}", stream, data)
        key, headers, value = envelope.to_record()
        sign = signature(keys[system].encode(), envelope.id, envelope.type, envelope.source, value)
        headers.append((SIGNATURE_HEADER, sign.encode()))
        records.append(OutgoingRecord(inbound_topic(system), key, headers, value))
    return records


def integration_keys(codes: list[str]) -> Path | None:
    """Write (once) demonstration keys of provincial systems where the submissions settings find them."""
    if os.environ.get("THIDUA_INTEGRATION_KEYS"):
        return None  # the deployment names its own systems and keys
    path = Path(os.environ.get("THIDUA_DATA_DIR", "var")) / "integration-keys.json"
    if not path.exists():
        write_private(path, json.dumps({c: secrets.token_urlsafe(32) for c in codes}))
    return path


def _academy_turns_the_year(year: Year) -> dict[str, int]:
    """The Academy decides 2023's awards (the late Form 09's in a supplementary decision), then opens
    2024 from 2023 and carries the clusters forward."""
    counts = {"awards": _decide_awards(year)}
    counts["late confirmations"] = _late_form_09(year)
    counts["awards in a supplementary decision"] = _supplementary_decision(year)
    counts["clusters carried into 2024"] = _open_next_year(year)
    return {k: v for k, v in counts.items() if v}


def _proposals_reach_the_registry(year: Year) -> None:
    """Let scoring take the conferences' votes and the registry the proposals they leave."""
    from services.registry.bootstrap import consumers as registry_consumers

    _score(year)
    year.services["scoring"].relay(SCORING_TOPIC).drain()
    year.services["submissions"].relay(SUBMISSIONS_TOPIC).drain()
    for runner in registry_consumers(year.services["registry"]).values():
        try:
            runner.run_until_caught_up(timeout=300)
        finally:
            runner.close()


def _decide_awards(year: Year) -> int:
    """The Council decides in January: within the year's quotas by score, the rest not; a proposal
    whose province has not confirmed both copies of Form 09 yet keeps its place and waits."""
    academy = year.token("academy_admin")
    _proposals_reach_the_registry(year)
    before = year.call("registry", "get", f"/awards/{YEAR}/proposals", academy)
    proposed = [p for p in before["proposals"] if p["status"] == "proposed"]
    if before["decided"] or not proposed:
        return 0
    board = year.call("submissions", "get", f"/status-board?year={YEAR}", academy)
    complete = {row["school_id"] for row in board["schools"] if row["form_09"]["complete"]}
    systems = set(year.services["submissions"].config.integration_keys)
    verdicts = []
    for award, quota in before["quotas"].items():
        ranked = sorted((p for p in proposed if p["award"] == award), key=lambda p: (-p["final"], p["rank"]))
        for n, p in enumerate(ranked):
            school = year.schools[p["school_id"]]
            if n < quota and p["school_id"] not in complete and school["code"] in systems:
                continue  # its province's system has yet to confirm the second copy
            verdict = {"school_id": p["school_id"], "award": award, "awarded": n < quota}
            if n >= quota:
                verdict["reason"] = f"{MARK} Vượt chỉ tiêu khen thưởng của năm; xếp sau theo tổng điểm."
            elif p["school_id"] not in complete:  # a ministry without a system of its own confirmed on paper
                verdict["override_reason"] = (
                    f"{MARK} Bộ, ngành chủ quản đã xác nhận Mẫu số 09 bằng văn bản giấy."
                )
            verdicts.append(verdict)
    year.clock.now = at(f"{YEAR + 1}-01-15 09:00")
    decision = {
        **_signed("15-QĐ/HVCTQG", f"{YEAR + 1}-01-15"),
        "verdicts": verdicts,
    }
    issued = year.call("registry", "post", f"/awards/{YEAR}/decision", academy, decision)
    year.services["registry"].relay(REGISTRY_TOPIC).drain()
    return sum(1 for v in issued["verdicts"] if v["awarded"])


def _signed(number: str, day: str) -> dict[str, str]:
    """Return a demonstration decision's particulars: its number, day and signer."""
    return {"number": number, "signed_on": day, "signer_name": f"{MARK} Người ký", "signer_title": "Giám đốc"}


def _late_form_09(year: Year) -> int:
    """The late province confirms the second copy of its school's Form 09 in February (once)."""
    board = year.call("submissions", "get", f"/status-board?year={YEAR}", year.token("academy_admin"))
    late = {s for s in year.schools if year.schools[s]["code"] == LATE_FORM_09}
    if any(row["form_09"]["complete"] for row in board["schools"] if row["school_id"] in late):
        return 0
    year.clock.now = at(f"{LATE_ON} 10:00")
    return publish_late_form_09(year.services["submissions"], year.schools, record=True)


def publish_late_form_09(submissions: Any, schools: dict[str, dict[str, Any]], record: bool) -> int:
    """Publish the late province's second copy of Form 09 on its inbound topic; with ``record``, also
    let submissions record it here (otherwise its running worker does). Return the records published."""
    keys = dict(submissions.config.integration_keys)
    on = submissions.clock().astimezone(LOCAL_TIME).date().isoformat()
    late = [s for s in schools.values() if s["code"] == LATE_FORM_09]
    records = [r for s in late for r in _confirmation(s, keys, (2,), on)]
    if records:
        submissions.bus.ensure_topics(sorted({r.topic for r in records}))
        submissions.bus.publish(records)
    if record:
        from services.submissions.bootstrap import inbound_runner

        runner = inbound_runner(submissions)
        try:
            runner.run_until_caught_up(timeout=300)
        finally:
            runner.close()
        submissions.relay(SUBMISSIONS_TOPIC).drain()
    return len(records)


def _supplementary_decision(year: Year) -> int:
    """The Academy awards, in a supplementary decision, what waited for its Form 09 (within quota)."""
    academy = year.token("academy_admin")
    _proposals_reach_the_registry(year)
    before = year.call("registry", "get", f"/awards/{YEAR}/proposals", academy)
    decided = {
        (v["school_id"], v["award"])
        for d in year.call("registry", "get", f"/awards/{YEAR}/decisions", academy)
        for v in d["verdicts"]
    }
    waiting = [
        p
        for p in before["proposals"]
        if p["status"] == "proposed" and (p["school_id"], p["award"]) not in decided
    ]
    if not waiting or len(decided) == 0:
        return 0
    year.clock.now = at(f"{YEAR + 1}-02-10 09:00")
    draft = {
        **_signed("27-QĐ/HVCTQG", f"{YEAR + 1}-02-10"),
        "verdicts": [{"school_id": p["school_id"], "award": p["award"], "awarded": True} for p in waiting],
    }
    saved = year.call("registry", "post", f"/awards/{YEAR}/drafts", academy, draft)
    issued = year.call("registry", "post", f"/awards/{YEAR}/drafts/{saved['decision_id']}/issue", academy, {})
    year.services["registry"].relay(REGISTRY_TOPIC).drain()
    return sum(1 for v in issued["verdicts"] if v["awarded"])


def _open_next_year(year: Year) -> int:
    """The Academy opens 2024 from 2023, confirms each nominated leadership and carries the clusters."""
    academy = year.token("academy_admin")
    campaigns = {c["year"] for c in year.call("registry", "get", "/campaigns", academy)}
    if YEAR + 1 in campaigns:
        return 0
    year.clock.now = at(f"{YEAR + 1}-01-20 09:00")
    opened = {
        "year": YEAR + 1,
        "from_year": YEAR,
        "theme": f"{MARK} Đoàn kết - Đổi mới - Kỷ cương - Hiệu quả",
    }
    year.call("registry", "post", "/campaigns", academy, opened)
    for cluster in year.clusters:
        path = f"/clusters/{cluster['cluster_id']}/nomination"
        if year.call("registry", "get", path, academy)["nominated"]:
            body = {"decision": f"{MARK} Quyết định công nhận Cụm trưởng, Cụm phó năm {YEAR + 1}"}
            year.call("registry", "post", f"{path}/confirm", academy, body)
    carried = year.call("registry", "post", "/clusters/carry-forward", academy, {"year": YEAR + 1})
    year.services["registry"].relay(REGISTRY_TOPIC).drain()
    return len(carried)


def late_form_09() -> str:
    """Publish, today, the late province's second copy of Form 09 for the running submissions worker."""
    registry = commands.build("registry")
    try:
        schools, _ = _registry_year(registry)
    finally:
        registry.close()
    submissions = commands.build("submissions")
    try:
        sent = publish_late_form_09(submissions, schools, record=False)
    finally:
        submissions.close()
    return f"{sent} late confirmation of Form 09 published by {LATE_FORM_09}"


def main(argv: list[str]) -> int:
    """Load the demonstration year (make run does, unless DEMO=0); ``--until proposals`` stops before
    the Academy's decision and the new year, to show them live; ``--late-form-09`` then sends the
    second copy of Form 09 that the late province confirms after the main decision."""
    keep_private()
    if "--late-form-09" in argv:
        print(late_form_09())
        return 0
    until = argv[argv.index("--until") + 1] if "--until" in argv[:-1] else "all"
    try:
        print(load(until))
    except Refused as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
