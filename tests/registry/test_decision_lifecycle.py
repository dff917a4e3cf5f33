"""An award decision's life on the registry's in-memory unit of work: drafted, issued, supplemented,
corrected, revoked; the names as they were the day it was issued.

The 2023 seed gives the campaign (6 flags and 12 certificates nationally), the schools and the eight
clusters; each test puts the conferences' proposals in the read model scoring feeds.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
import sqlalchemy as sa

from services.registry.app import awards, schools
from services.registry.app.work import InMemoryRegistry
from services.registry.domain.awards import DecideAwards, DraftDecision, Verdict
from services.registry.projections.proposals import ProposalsView
from services.registry.seed.clusters_2023 import CLUSTERS, cluster_id
from services.registry.seed.command import seed
from services.registry.seed.schools_2023 import school_id
from services.registry.tables import award_proposals, form_09_copies
from services.registry.tables import awards as register_table
from services.registry.tables import schools as schools_table
from shared.auth import Principal
from shared.envelope import Envelope
from shared.errors import Conflict, DomainError, NotFound
from shared.eventstore import Context

ACADEMY = Context(actor="academy_admin:an")
HEADS = [school_id(c.head) for c in CLUSTERS]
"""One flag proposed by each of the eight clusters: its head school, 8 against a quota of 6."""
PARTICULARS = {
    "number": "125-QĐ/HVCTQG",
    "signed_on": date(2024, 1, 15),
    "signer_name": "Nguyễn Xuân Thắng",
    "signer_title": "Giám đốc",
}


@pytest.fixture
def uow() -> InMemoryRegistry:
    found = InMemoryRegistry()
    seed(found)
    propose(found, [(s, cluster_id(c.key), "co_thi_dua") for s, c in zip(HEADS, CLUSTERS, strict=True)])
    found.recorded.clear()  # what each test records is what it looks at
    return found


def propose(registry: InMemoryRegistry, proposals: list[tuple[str, str, str]]) -> None:
    """Put proposals carried by the conferences in the read model, as scoring's drafts would."""
    rows = [
        {"year": 2023, "school_id": s, "award": a, "cluster_id": c, "status": "proposed", "rank": 1}
        | {"final": 95.0, "vote_share": 0.8, "revision": 1}
        for s, c, a in proposals
    ]
    copies = [{"year": 2023, "school_id": s, "copy": n} for s, _c, _a in proposals for n in (1, 2)]
    with registry.transaction() as conn:
        conn.execute(award_proposals.insert(), rows)
        conn.execute(form_09_copies.insert(), copies)  # both copies confirmed: a complete dossier


def flags(awarded: int, refused: int = 0) -> tuple[Verdict, ...]:
    """Return verdicts on the heads' flags: the first ``awarded`` granted, the next ``refused`` not."""
    given = [Verdict(s, "co_thi_dua", True) for s in HEADS[:awarded]]
    return (
        *given,
        *[Verdict(s, "co_thi_dua", False, "Vượt chỉ tiêu") for s in HEADS[awarded : awarded + refused]],
    )


def draft(
    registry: InMemoryRegistry, decision_id: str, verdicts: tuple[Verdict, ...], **particulars: object
) -> dict:  # type: ignore[type-arg]
    command = DraftDecision(2023, decision_id, verdicts=verdicts, **particulars)  # type: ignore[arg-type]
    return awards.save_draft(registry, command, ACADEMY)


def issue_main(registry: InMemoryRegistry) -> dict:  # type: ignore[type-arg]
    draft(registry, "qd_main", flags(6, 2), **PARTICULARS)
    return awards.issue_draft(registry, 2023, "qd_main", ACADEMY)


def active_awarded(registry: InMemoryRegistry, issued: dict) -> tuple[str, str]:  # type: ignore[type-arg]
    """Return an awarded school still active (not merged since), with its name."""
    awarded = [v["school_id"] for v in issued["verdicts"] if v["awarded"]]
    with registry.reader.connect() as conn:
        rows = conn.execute(sa.select(schools_table).where(schools_table.c.school_id.in_(awarded))).mappings()
        return next((r["school_id"], r["name"]) for r in rows if r["status"] == "active")


def refused(call: object) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call()  # type: ignore[operator]
    return raised.value


def types(registry: InMemoryRegistry) -> list[str]:
    return [e.type for e in registry.recorded]


def test_a_draft_is_edited_freely_and_shows_its_counts_but_is_issued_only_within_the_quotas(
    uow: InMemoryRegistry,
) -> None:
    registry = uow
    first = draft(registry, "qd_1", flags(8))
    assert first["kind"] == "main" and first["number"] == ""
    assert first["counts"]["co_thi_dua"] == {"earlier": 0, "adding": 8, "quota": 6}
    assert first["over_quota"] == [{"award": "co_thi_dua", "awarded": 8, "quota": 6}]
    again = draft(registry, "qd_1", flags(8), number="125-QĐ/HVCTQG")
    assert again["number"] == "125-QĐ/HVCTQG" and types(registry) == ["AwardDecisionDraftSaved"] * 2
    missing = refused(lambda: awards.issue_draft(registry, 2023, "qd_1", ACADEMY))
    assert missing.code == "particulars_missing" and missing.details["missing"] == [
        "signed_on",
        "signer_name",
        "signer_title",
    ]
    draft(registry, "qd_1", flags(8), **PARTICULARS)
    over = refused(lambda: awards.issue_draft(registry, 2023, "qd_1", ACADEMY))
    assert over.code == "over_quota" and over.details["over"] == [
        {"award": "co_thi_dua", "awarded": 8, "quota": 6}
    ]
    assert "AwardsDecided" not in types(registry)


def test_issuing_records_the_names_of_the_day_and_a_second_main_decision_is_refused(
    uow: InMemoryRegistry,
) -> None:
    registry = uow
    issued = issue_main(registry)
    assert (issued["kind"], issued["number"]) == ("main", "125-QĐ/HVCTQG")
    awarded = {v["school_id"]: v for v in issued["verdicts"] if v["awarded"]}
    assert awarded[HEADS[0]]["school_name"] == "Trường Chính trị tỉnh Hòa Bình"
    assert all(v["cluster_name"] for v in issued["verdicts"])
    assert types(registry).count("AwardGranted") == 6
    assert awards.drafts_of(registry, 2023) == []  # type: ignore[arg-type]
    renamed, name = active_awarded(registry, issued)
    schools.update_school(registry, renamed, {"name": f"{name} (tên mới)"}, None, ACADEMY)
    with registry.reader.connect() as conn:
        given_under = conn.execute(
            sa.select(register_table.c.school_name).where(register_table.c.school_id == renamed)
        ).scalar()
    assert given_under == name  # the register keeps the name of the day
    one_step = DecideAwards(2023, "126-QĐ", date(2024, 1, 16), "A", "B", flags(1))
    assert isinstance(refused(lambda: awards.decide_awards(registry, one_step, ACADEMY)), Conflict)
    assert isinstance(
        refused(lambda: draft(registry, "qd_main", flags(1))), Conflict
    )  # issued: no more drafts


def test_a_supplementary_decision_covers_a_late_proposal_within_what_the_quotas_leave(
    uow: InMemoryRegistry,
) -> None:
    registry = uow
    issue_main(registry)
    late = school_id("YENBAI")
    propose(registry, [(late, cluster_id(CLUSTERS[0].key), "bang_khen")])
    decided_before = refused(lambda: draft(registry, "qd_2", (Verdict(HEADS[0], "co_thi_dua", True),)))
    assert decided_before.code == "not_proposed"  # the main decision ruled on it
    supplement = draft(registry, "qd_2", (Verdict(late, "bang_khen", True),), **PARTICULARS)
    assert supplement["kind"] == "supplementary" and supplement["counts"]["co_thi_dua"]["earlier"] == 6
    assert refused(lambda: awards.issue_draft(registry, 2023, "qd_2", ACADEMY)).code == "number_used"
    draft(registry, "qd_2", (Verdict(late, "bang_khen", True),), **{**PARTICULARS, "number": "140-QĐ/HVCTQG"})
    issued = awards.issue_draft(registry, 2023, "qd_2", ACADEMY)
    assert issued["kind"] == "supplementary" and [v["school_id"] for v in issued["verdicts"]] == [late]
    academy = Principal("an", "academy_admin")
    listed = awards.decisions_of(registry, academy, 2023)  # type: ignore[arg-type]
    assert [d["kind"] for d in listed] == ["main", "supplementary"]


def test_a_correction_changes_the_particulars_with_its_reason_and_keeps_what_they_were(
    uow: InMemoryRegistry,
) -> None:
    registry = uow
    issued = issue_main(registry)
    decision_id = issued["decision_id"]
    unchanged = refused(
        lambda: awards.correct_decision(
            registry, 2023, decision_id, {"number": "125-QĐ/HVCTQG"}, "x", ACADEMY
        )
    )
    assert unchanged.code == "nothing_to_correct"
    no_reason = refused(
        lambda: awards.correct_decision(registry, 2023, decision_id, {"number": "127-QĐ"}, " ", ACADEMY)
    )
    assert no_reason.code == "correction_reason_required"
    corrected = awards.correct_decision(
        registry, 2023, decision_id, {"number": "127-QĐ/HVCTQG"}, "Gõ nhầm số quyết định", ACADEMY
    )
    assert corrected["number"] == "127-QĐ/HVCTQG"
    (correction,) = corrected["corrections"]
    assert (
        correction["before"] == {"number": "125-QĐ/HVCTQG"}
        and correction["reason"] == "Gõ nhầm số quyết định"
    )
    with registry.reader.connect() as conn:
        numbers = set(conn.execute(sa.select(register_table.c.number)).scalars())
    assert numbers == {"127-QĐ/HVCTQG"}  # the register cites the decision as corrected
    assert isinstance(
        refused(lambda: awards.correct_decision(registry, 2023, "qd_none", {"number": "1"}, "x", ACADEMY)),
        NotFound,
    )


@pytest.mark.parametrize("frees", [False, True])
def test_a_revoked_award_is_marked_and_frees_its_quota_only_if_the_campaign_says_so(
    uow: InMemoryRegistry, frees: bool
) -> None:
    registry = uow
    if frees:
        with registry.transaction() as conn:
            from services.registry.tables import campaigns

            content = conn.execute(
                sa.select(campaigns.c.content).where(campaigns.c.year == 2023)
            ).scalar_one()
            content["award_rules"]["revoked_frees_quota"] = True
            conn.execute(campaigns.update().where(campaigns.c.year == 2023).values(content=content))
    issue_main(registry)
    incomplete = refused(
        lambda: awards.revoke_award(registry, 2023, HEADS[0], "co_thi_dua", "x", " ", ACADEMY)
    )
    assert incomplete.code == "revocation_incomplete"
    entry = awards.revoke_award(
        registry,
        2023,
        HEADS[0],
        "co_thi_dua",
        "Kê khai không trung thực",
        "Chương VII Luật Thi đua, khen thưởng",
        ACADEMY,
    )
    assert entry["revoked_reason"] == "Kê khai không trung thực"
    again = refused(lambda: awards.revoke_award(registry, 2023, HEADS[0], "co_thi_dua", "x", "y", ACADEMY))
    assert isinstance(again, Conflict)
    never = refused(lambda: awards.revoke_award(registry, 2023, HEADS[7], "co_thi_dua", "x", "y", ACADEMY))
    assert isinstance(never, NotFound)  # the main decision did not award it
    propose(registry, [(school_id("YENBAI"), cluster_id(CLUSTERS[0].key), "co_thi_dua")])
    supplement = draft(
        registry,
        "qd_2",
        (Verdict(school_id("YENBAI"), "co_thi_dua", True),),
        **{**PARTICULARS, "number": "2"},
    )
    assert supplement["counts"]["co_thi_dua"]["earlier"] == (5 if frees else 6)
    assert bool(supplement["over_quota"]) is not frees
    assert types(registry).count("AwardRevoked") == 1


def paper_text(content: bytes) -> str:
    """Return the text of a DOCX paper, paragraphs and table cells, in order."""
    import io

    from docx import Document

    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_an_issued_paper_is_the_same_bytes_after_a_rename_and_its_hash_is_recorded_with_the_event(
    uow: InMemoryRegistry,
) -> None:
    registry = uow
    issued = issue_main(registry)
    content = awards.decision_paper(registry, 2023, issued["decision_id"])  # type: ignore[arg-type]
    recorded = next(e for e in registry.recorded if e.type == "AwardsDecided").data["paper_sha256"]
    assert hashlib.sha256(content).hexdigest() == recorded == issued["paper_sha256"]
    renamed, name = active_awarded(registry, issued)
    assert name in paper_text(content)
    schools.update_school(registry, renamed, {"name": f"{name} (tên mới)"}, None, ACADEMY)
    assert awards.decision_paper(registry, 2023, issued["decision_id"]) == content  # type: ignore[arg-type]
    corrected = awards.correct_decision(
        registry, 2023, issued["decision_id"], {"signer_name": "Nguyễn Văn Minh"}, "Nhầm người ký", ACADEMY
    )
    again = awards.decision_paper(registry, 2023, issued["decision_id"])  # type: ignore[arg-type]
    assert "Nguyễn Văn Minh" in paper_text(again) and "Nguyễn Xuân Thắng" not in paper_text(again)
    assert hashlib.sha256(again).hexdigest() == corrected["paper_sha256"] != recorded


def test_a_drafts_paper_says_it_is_a_draft(uow: InMemoryRegistry) -> None:
    registry = uow
    draft(registry, "qd_1", flags(6, 2))
    text = paper_text(awards.draft_paper(registry, 2023, "qd_1"))  # type: ignore[arg-type]
    assert text.startswith("DỰ THẢO") and "Trường Chính trị tỉnh Hòa Bình" in text


def test_an_award_on_an_incomplete_form_09_needs_its_reason_and_the_register_keeps_it(
    uow: InMemoryRegistry,
) -> None:
    registry = uow
    view = ProposalsView()
    voided = {"year": 2023, "school_id": HEADS[0], "copy": 2, "confirmed_by": "HOABINH", "reason": "nhầm"}
    with registry.transaction() as conn:  # the second copy was voided after it was confirmed
        view.handlers.apply(conn, envelope("AchievementReportConfirmed", voided), dict(voided))
        view.handlers.apply(conn, envelope("AchievementReportConfirmationVoided", voided), dict(voided))
    draft(registry, "qd_main", flags(6, 2), **PARTICULARS)
    missing = refused(lambda: awards.issue_draft(registry, 2023, "qd_main", ACADEMY))
    assert missing.code == "override_reason_required" and missing.details["school_ids"] == [HEADS[0]]
    anyway = Verdict(HEADS[0], "co_thi_dua", True, override_reason="Tỉnh ủy xác nhận bằng văn bản")
    draft(registry, "qd_main", (anyway, *flags(6, 2)[1:]), **PARTICULARS)
    awards.issue_draft(registry, 2023, "qd_main", ACADEMY)
    with registry.reader.connect() as conn:
        kept = conn.execute(
            sa.select(register_table.c.override_reason).where(register_table.c.school_id == HEADS[0])
        ).scalar()
    assert kept == "Tỉnh ủy xác nhận bằng văn bản"


def envelope(kind: str, data: dict) -> Envelope:  # type: ignore[type-arg]
    stream = f"confirmation-{data['year']}-{data['school_id']}-{data['copy']}"
    return Envelope(type=kind, source="submissions", stream_id=stream, data=data, stream_version=1)
