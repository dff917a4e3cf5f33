"""The 2023 campaign from letter 3552-CV/HVCTQG (20/02/2023): theme, targets, deadlines.

The score-sheet templates, the deductions and the award rules are our defaults (DOMAIN.md, "Rules
that are ours"): the official sheets 5.1/5.2 were not available.
"""

from __future__ import annotations

from typing import Any

from services.registry.contracts import DEFAULT_BANDS

YEAR = 2023
NATIONAL_QUOTAS = {"co_thi_dua": 6, "bang_khen": 12}
"""How many flags and certificates the Academy grants in the year across its clusters (ours: the letter
gives each cluster one flag and two certificates to propose; the Council grants fewer)."""

CONTENT_AREAS = [
    {
        "code": "CHU_DONG",
        "name": "Chủ động",
        "description": "Chủ động tham mưu, đề xuất với tỉnh ủy, thành ủy, bộ, ngành về đào tạo, bồi dưỡng cán bộ, "
        "nghiên cứu khoa học, tổng kết thực tiễn.",
    },
    {
        "code": "DONG_BO",
        "name": "Đồng bộ",
        "description": "Đổi mới đồng bộ đào tạo, bồi dưỡng, nghiên cứu khoa học; hoàn thiện thể chế, đội ngũ, cơ sở vật chất.",
    },
    {
        "code": "DOT_PHA",
        "name": "Đột phá",
        "description": "Xây dựng trường chính trị chuẩn theo Quy định số 11-QĐ/TW ngày 19/5/2021 của Ban Bí thư.",
    },
    {
        "code": "KY_CUONG",
        "name": "Kỷ cương",
        "description": "Tăng cường kỷ luật, kỷ cương trong giảng dạy, học tập, nghiên cứu, quản lý, phục vụ.",
    },
    {
        "code": "CHAT_LUONG",
        "name": "Chất lượng",
        "description": "Nâng cao chất lượng đào tạo, bồi dưỡng, nghiên cứu khoa học, tổng kết thực tiễn.",
    },
    {
        "code": "HIEU_QUA",
        "name": "Hiệu quả",
        "description": "Triển khai có hiệu quả các mặt công tác, tạo chuyển biến về quy mô và chất lượng.",
    },
]


def _target(
    code: str,
    description: str,
    measure: str,
    numerator: str,
    denominator: str | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    above: bool = False,
) -> dict[str, Any]:
    """A target; ``above`` makes the minimum strict, as the letter's "trên" (more than)."""
    return {
        "code": code,
        "description": description,
        "measure": measure,
        "numerator": numerator,
        "denominator": denominator,
        "minimum": minimum,
        "maximum": maximum,
        "minimum_exclusive": above,
        "maximum_exclusive": False,
    }


TARGETS = [
    _target(
        "T1",
        "100% thực hiện mục tiêu xây dựng trường chính trị chuẩn theo Đề án đã được phê duyệt",
        "flag",
        "standard_school_goal_met",
        minimum=1,
    ),
    _target(
        "T2",
        "100% khoa, phòng tổ chức hưởng ứng phong trào thi đua",
        "ratio",
        "departments_responding",
        "departments",
        minimum=1.0,
    ),
    _target(
        "T3",
        "100% khoa, phòng và cá nhân thực hiện nghiêm kỷ cương, kỷ luật",
        "zero",
        "discipline_violations",
        maximum=0,
    ),
    _target(
        "T4",
        "Từ 80% trở lên cá nhân đạt danh hiệu Lao động tiên tiến",
        "ratio",
        "lao_dong_tien_tien",
        "staff",
        minimum=0.8,
    ),
    _target(
        "T5",
        "Từ 10-15% cá nhân đạt Chiến sĩ thi đua cơ sở trong số Lao động tiên tiến",
        "ratio",
        "chien_si_thi_dua_co_so",
        "lao_dong_tien_tien",
        minimum=0.10,
        maximum=0.15,
    ),
    _target(
        "T6",
        "Ít nhất 01 đơn vị đạt Tập thể Lao động xuất sắc",
        "count",
        "tap_the_lao_dong_xuat_sac",
        minimum=1,
    ),
    _target(
        "T7",
        "Từ 5% trở lên tập thể, cá nhân được khen thưởng các cấp",
        "ratio",
        "commended",
        "staff+collectives",
        minimum=0.05,
    ),
    _target(
        "T8",
        "Từ 70% tổ chức đảng đạt Hoàn thành tốt nhiệm vụ trở lên",
        "ratio",
        "party_orgs_good_or_better",
        "party_orgs",
        minimum=0.70,
    ),
    _target(
        "T8b",
        "Trong đó 20% tổ chức đảng đạt Hoàn thành xuất sắc nhiệm vụ",
        "ratio",
        "party_orgs_excellent",
        "party_orgs",
        minimum=0.20,
    ),
    _target(
        "T9",
        "Trên 90% tổ chức chuyên môn, đơn vị, đoàn thể Hoàn thành tốt nhiệm vụ",
        "ratio",
        "units_good_or_better",
        "units",
        minimum=0.90,
        above=True,
    ),
]


def _deadline(
    code: str, title: str, forms: list[str], filer: str, due: str, consequence: str = "deduction"
) -> dict[str, Any]:
    return {
        "code": code,
        "title": title,
        "forms": forms,
        "filer": filer,
        "due": due,
        "consequence": consequence,
    }


DEADLINES = [
    _deadline(
        "PLAN",
        "Kế hoạch triển khai phong trào thi đua và đăng ký thi đua của trường",
        ["01"],
        "school",
        "2023-03-05",
        "ineligible",
    ),
    _deadline("CLUSTER_PLAN", "Kế hoạch hoạt động thi đua của cụm", ["02"], "cluster_head", "2023-03-15"),
    _deadline(
        "OFFICERS",
        "Danh sách cán bộ phụ trách thi đua các trường trong cụm",
        ["03"],
        "cluster_head",
        "2023-03-15",
    ),
    _deadline(
        "MIDYEAR_REVIEW",
        "Hội nghị và dự thảo báo cáo sơ kết 6 tháng đầu năm",
        ["SO_KET"],
        "cluster_head",
        "2023-07-30",
    ),
    _deadline(
        "MIDYEAR_REPORT",
        "Báo cáo sơ kết 6 tháng đầu năm gửi Học viện",
        ["BAO_CAO_SO_KET"],
        "cluster_head",
        "2023-08-10",
    ),
    _deadline(
        "YEAR_END_REPORT", "Báo cáo tổng kết phong trào thi đua và phụ lục", ["04"], "school", "2023-11-05"
    ),
    _deadline("SCORE_SHEET", "Phiếu chấm điểm thi đua", ["5.1", "5.2"], "school", "2023-11-05"),
    _deadline(
        "CONFERENCE",
        "Kế hoạch, chương trình, giấy mời Hội nghị tổng kết của cụm",
        ["HOI_NGHI_TONG_KET"],
        "cluster_head",
        "2023-11-10",
    ),
    _deadline(
        "CLUSTER_DOSSIER",
        "Hồ sơ tổng kết và đề nghị khen thưởng của cụm: Mẫu 06, Mẫu 07, bảng tổng hợp điểm, Mẫu 08, 02 bản Mẫu 09",
        ["HO_SO_CUM"],
        "cluster_head",
        "2023-11-30",
    ),
]


def _group(code: str, name: str, items: list[tuple[str, str, float]]) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "items": [{"code": c, "name": n, "max_points": p} for c, n, p in items],
    }


def _score_sheet(form: str, kind: str, breakthrough: str) -> dict[str, Any]:
    groups = [
        _group(
            "CHU_DONG",
            "Chủ động",
            [
                ("CHU_DONG.1", "Tham mưu, đề xuất với cấp ủy, bộ, ngành", 8),
                ("CHU_DONG.2", "Phối hợp với các cơ quan, đơn vị liên quan", 7),
            ],
        ),
        _group(
            "DONG_BO",
            "Đồng bộ",
            [
                ("DONG_BO.1", "Thể chế, quy chế, quy định", 5),
                ("DONG_BO.2", "Đội ngũ cán bộ, giảng viên", 5),
                ("DONG_BO.3", "Cơ sở vật chất, trang thiết bị", 5),
            ],
        ),
        _group("DOT_PHA", "Đột phá", [("DOT_PHA.1", breakthrough, 15)]),
        _group(
            "KY_CUONG",
            "Kỷ cương",
            [
                ("KY_CUONG.1", "Kỷ luật, kỷ cương trong giảng dạy, học tập", 8),
                ("KY_CUONG.2", "Kỷ cương trong quản lý, tham mưu, phục vụ", 7),
            ],
        ),
        _group(
            "CHAT_LUONG",
            "Chất lượng",
            [
                ("CHAT_LUONG.1", "Chất lượng đào tạo, bồi dưỡng", 8),
                ("CHAT_LUONG.2", "Nghiên cứu khoa học, tổng kết thực tiễn", 7),
            ],
        ),
        _group("HIEU_QUA", "Hiệu quả", [("HIEU_QUA.1", "Hiệu quả các mặt công tác", 10)]),
        _group(
            "CHI_TIEU",
            "Thực hiện các chỉ tiêu thi đua",
            [("CHI_TIEU.1", "Đạt các chỉ tiêu thi đua của năm", 15)],
        ),
    ]
    bonus = [
        {
            "code": "THUONG.1",
            "name": "Sáng kiến, mô hình mới được cấp có thẩm quyền công nhận",
            "max_points": 5,
        }
    ]
    return {"form": form, "school_kind": kind, "total_max": 100, "groups": groups, "bonus": bonus}


def campaign_2023() -> dict[str, Any]:
    """Return the 2023 campaign's content as CampaignOpened carries it."""
    return {
        "year": YEAR,
        "theme": "Chủ động - Đồng bộ - Đột phá - Kỷ cương - Chất lượng - Hiệu quả",
        "legal_basis": "Công văn số 3552-CV/HVCTQG ngày 20/02/2023; Hướng dẫn số 30-HD/HVCTQG ngày 03/02/2021",
        "opened_on": "2023-02-20",  # the day the letter was issued: the year began on paper
        "content_areas": CONTENT_AREAS,
        "targets": TARGETS,
        "deadlines": DEADLINES,
        "score_sheets": [
            _score_sheet("5.1", "provincial", "Xây dựng trường chính trị chuẩn (Quy định 11-QĐ/TW)"),
            _score_sheet("5.2", "ministry", "Đổi mới đào tạo, bồi dưỡng theo yêu cầu của bộ, ngành"),
        ],
        "deductions": {"late_per_filing": 2, "missing_per_filing": 5},
        "award_rules": {
            "score_threshold": 90,
            "flag_quota": 1,
            "merit_quota": 2,
            "vote_majority": 0.5,
            "national_quotas": NATIONAL_QUOTAS,
            "one_award_per_achievement": True,
        },
        "sources": SOURCES,
        "bands": [dict(band) for band in DEFAULT_BANDS],
        "review": {"correction_days": 10, "returned_unamended": "filed"},
        "retention": {"personal_data_years": 5},
    }


LETTER = "Công văn số 3552-CV/HVCTQG ngày 20/02/2023 của Học viện Chính trị quốc gia Hồ Chí Minh"
GUIDE_30 = "Hướng dẫn số 30-HD/HVCTQG ngày 03/02/2021 của Giám đốc Học viện Chính trị quốc gia Hồ Chí Minh"
LAW = "Luật Thi đua, khen thưởng số 06/2022/QH15"
OURS = "Quy định mặc định của hệ thống (chưa có văn bản quy định riêng)"
SOURCES = {
    "targets": {"document": LETTER, "article": "mục I.1.2 (Chỉ tiêu thi đua)"},
    "deadlines.PLAN": {"document": LETTER, "article": "mục I.3 (không gửi Kế hoạch thì không được bình xét)"},
    "deadlines.CLUSTER_PLAN": {"document": LETTER, "article": "mục II.1 (trước ngày 15/3/2023)"},
    "deadlines.OFFICERS": {"document": LETTER, "article": "mục II.1 (Mẫu số 03, trước ngày 15/3/2023)"},
    "deadlines.MIDYEAR_REVIEW": {"document": LETTER, "article": "mục II.4 (hoàn thành trước 30/7/2023)"},
    "deadlines.MIDYEAR_REPORT": {"document": LETTER, "article": "mục II.4 (gửi Học viện trước 10/8/2023)"},
    "deadlines.YEAR_END_REPORT": {"document": LETTER, "article": "mục II.5.1"},
    "deadlines.SCORE_SHEET": {"document": LETTER, "article": "mục II.5.1"},
    "deadlines.CONFERENCE": {"document": LETTER, "article": "mục II.5.2 (trước ngày 10/11/2023)"},
    "deadlines.CLUSTER_DOSSIER": {"document": LETTER, "article": "mục II.5.2"},
    "inspections": {
        "document": GUIDE_30,
        "article": "điểm c, khoản 4, mục I (kiểm tra phong trào thi đua của cụm), theo mục II.3 của Công văn số "
        "3552-CV/HVCTQG",
    },
    "score_sheets": {"document": OURS},
    "deductions.late_per_filing": {"document": OURS},
    "deductions.missing_per_filing": {"document": OURS},
    "award_rules.incomplete_dossier": {
        "document": LETTER,
        "article": "mục II.5.2 (02 bản Mẫu số 09 có xác nhận của thường trực tỉnh ủy, thành ủy hoặc lãnh đạo "
        "bộ, ngành)",
    },
    "award_rules.one_award_per_achievement": {
        "document": LAW,
        "article": "nguyên tắc khen thưởng: không tặng nhiều hình thức khen thưởng cho một thành tích",
    },
    "award_rules.national_quotas": {"document": OURS},
    "award_rules.score_threshold": {"document": OURS},
    "award_rules.flag_quota": {"document": OURS},
    "award_rules.merit_quota": {"document": OURS},
    "award_rules.vote_majority": {"document": OURS},
    "award_rules.revoked_frees_quota": {"document": OURS},
    "review.correction_days": {"document": OURS},
    "review.returned_unamended": {"document": OURS},
    "retention.personal_data_years": {"document": OURS},
}
"""Where each rule of the 2023 campaign comes from: the letter, or Hướng dẫn 30 which the letter applies,
where they say so; the Law for "one achievement, one award" (its article not encoded: the text is not
at hand here); else our default (DOMAIN.md, "Rules that are ours")."""
