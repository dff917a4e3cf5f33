"""The 1 July 2025 mergers of provinces (63 to 34) and so of their political schools.

Each group's schools merge into a successor school of the new province, registered on 1 July 2025.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

EFFECTIVE = date(2025, 7, 1)
LEGAL_BASIS = (
    "Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội về việc sắp xếp đơn vị hành chính cấp tỉnh "
    "(hiệu lực từ ngày 01/7/2025)"
)


class SeedMerger(NamedTuple):
    """A merger: the successor's code, name and province, and the codes of the merged schools."""

    code: str
    name: str
    province: str
    predecessors: tuple[str, ...]


def _tinh(province: str) -> str:
    return f"Trường Chính trị tỉnh {province}"


MERGERS = [
    SeedMerger("TUYENQUANG-2025", _tinh("Tuyên Quang"), "Tuyên Quang", ("TUYENQUANG", "HAGIANG")),
    SeedMerger("LAOCAI-2025", _tinh("Lào Cai"), "Lào Cai", ("LAOCAI", "YENBAI")),
    SeedMerger("THAINGUYEN-2025", _tinh("Thái Nguyên"), "Thái Nguyên", ("THAINGUYEN", "BACKAN")),
    SeedMerger("PHUTHO-2025", _tinh("Phú Thọ"), "Phú Thọ", ("PHUTHO", "VINHPHUC", "HOABINH")),
    SeedMerger("BACNINH-2025", "Trường Chính trị Nguyễn Văn Cừ", "Bắc Ninh", ("BACNINH", "BACGIANG")),
    SeedMerger("HUNGYEN-2025", "Trường Chính trị Nguyễn Văn Linh", "Hưng Yên", ("HUNGYEN", "THAIBINH")),
    SeedMerger("HAIPHONG-2025", "Trường Chính trị Tô Hiệu", "Hải Phòng", ("HAIPHONG", "HAIDUONG")),
    SeedMerger("NINHBINH-2025", _tinh("Ninh Bình"), "Ninh Bình", ("NINHBINH", "HANAM", "NAMDINH")),
    SeedMerger("QUANGTRI-2025", "Trường Chính trị Lê Duẩn", "Quảng Trị", ("QUANGTRI", "QUANGBINH")),
    SeedMerger("DANANG-2025", "Trường Chính trị thành phố Đà Nẵng", "Đà Nẵng", ("DANANG", "QUANGNAM")),
    SeedMerger("QUANGNGAI-2025", _tinh("Quảng Ngãi"), "Quảng Ngãi", ("QUANGNGAI", "KONTUM")),
    SeedMerger("GIALAI-2025", _tinh("Gia Lai"), "Gia Lai", ("GIALAI", "BINHDINH")),
    SeedMerger("KHANHHOA-2025", _tinh("Khánh Hòa"), "Khánh Hòa", ("KHANHHOA", "NINHTHUAN")),
    SeedMerger("LAMDONG-2025", _tinh("Lâm Đồng"), "Lâm Đồng", ("LAMDONG", "DAKNONG", "BINHTHUAN")),
    SeedMerger("DAKLAK-2025", _tinh("Đắk Lắk"), "Đắk Lắk", ("DAKLAK", "PHUYEN")),
    SeedMerger(
        "HOCHIMINH-2025",
        "Học viện Cán bộ Thành phố Hồ Chí Minh",
        "Thành phố Hồ Chí Minh",
        ("HOCHIMINH", "BINHDUONG", "BARIAVUNGTAU"),
    ),
    SeedMerger("DONGNAI-2025", _tinh("Đồng Nai"), "Đồng Nai", ("DONGNAI", "BINHPHUOC")),
    SeedMerger("TAYNINH-2025", _tinh("Tây Ninh"), "Tây Ninh", ("TAYNINH", "LONGAN")),
    SeedMerger(
        "CANTHO-2025", "Trường Chính trị thành phố Cần Thơ", "Cần Thơ", ("CANTHO", "SOCTRANG", "HAUGIANG")
    ),
    SeedMerger("VINHLONG-2025", _tinh("Vĩnh Long"), "Vĩnh Long", ("VINHLONG", "BENTRE", "TRAVINH")),
    SeedMerger("DONGTHAP-2025", _tinh("Đồng Tháp"), "Đồng Tháp", ("DONGTHAP", "TIENGIANG")),
    SeedMerger("CAMAU-2025", _tinh("Cà Mau"), "Cà Mau", ("CAMAU", "BACLIEU")),
    SeedMerger("ANGIANG-2025", _tinh("An Giang"), "An Giang", ("ANGIANG", "KIENGIANG")),
]
"""23 merged provinces; with the 11 unchanged ones (Hà Nội, Huế, Lai Châu, Điện Biên, Sơn La, Lạng Sơn,
Quảng Ninh, Thanh Hóa, Nghệ An, Hà Tĩnh, Cao Bằng) they make the 34 provinces from 1 July 2025."""
