"""The political schools as of 2023: one per province (63) plus ministry cadre schools.

Names are "Trường Chính trị tỉnh/thành phố X" unless the school is known by another name: DOMAIN.md
confirms Lê Hồng Phong (Hà Nội), Học viện Cán bộ (TP. HCM), Nguyễn Văn Cừ (Bắc Ninh), Châu Văn Đặng
(Bạc Liêu) and Lê Duẩn (Quảng Trị); Tô Hiệu, Nguyễn Văn Linh, Trường Chinh and Trần Phú are the widely
published names, still to be checked against the Academy's list. The ministry schools' names are
sample data. The cluster keys place each school in its 2023 cluster (clusters_2023.py says which
memberships are confirmed and which are sample data).
"""

from __future__ import annotations

from typing import NamedTuple


class SeedSchool(NamedTuple):
    """A school of the seed: code, name, kind, province or ministry, and its 2023 cluster key."""

    code: str
    name: str
    kind: str
    province: str
    cluster: str


def _provincial(
    code: str, province: str, cluster: str, name: str | None = None, city: bool = False
) -> SeedSchool:
    default = f"Trường Chính trị {'thành phố' if city else 'tỉnh'} {province}"
    return SeedSchool(code, name or default, "provincial", province, cluster)


PROVINCIAL = [
    # Northern midlands and mountains (confirmed membership; Hòa Bình head in 2023)
    _provincial("BACGIANG", "Bắc Giang", "trung-du-bac"),
    _provincial("BACKAN", "Bắc Kạn", "trung-du-bac"),
    _provincial("HOABINH", "Hòa Bình", "trung-du-bac"),
    _provincial("PHUTHO", "Phú Thọ", "trung-du-bac"),
    _provincial("THAINGUYEN", "Thái Nguyên", "trung-du-bac"),
    _provincial("TUYENQUANG", "Tuyên Quang", "trung-du-bac"),
    _provincial("YENBAI", "Yên Bái", "trung-du-bac"),
    # Northern border mountains (sample)
    _provincial("HAGIANG", "Hà Giang", "mien-nui-bien-gioi"),
    _provincial("CAOBANG", "Cao Bằng", "mien-nui-bien-gioi"),
    _provincial("LANGSON", "Lạng Sơn", "mien-nui-bien-gioi"),
    _provincial("LAOCAI", "Lào Cai", "mien-nui-bien-gioi"),
    _provincial("LAICHAU", "Lai Châu", "mien-nui-bien-gioi"),
    _provincial("DIENBIEN", "Điện Biên", "mien-nui-bien-gioi"),
    _provincial("SONLA", "Sơn La", "mien-nui-bien-gioi"),
    # Red River Delta (sample)
    _provincial("HANOI", "Hà Nội", "dong-bang-song-hong", "Trường Đào tạo cán bộ Lê Hồng Phong"),
    _provincial("HAIPHONG", "Hải Phòng", "dong-bang-song-hong", "Trường Chính trị Tô Hiệu"),
    _provincial("QUANGNINH", "Quảng Ninh", "dong-bang-song-hong"),
    _provincial("HAIDUONG", "Hải Dương", "dong-bang-song-hong"),
    _provincial("HUNGYEN", "Hưng Yên", "dong-bang-song-hong", "Trường Chính trị Nguyễn Văn Linh"),
    _provincial("BACNINH", "Bắc Ninh", "dong-bang-song-hong", "Trường Chính trị Nguyễn Văn Cừ"),
    _provincial("VINHPHUC", "Vĩnh Phúc", "dong-bang-song-hong"),
    _provincial("HANAM", "Hà Nam", "dong-bang-song-hong"),
    _provincial("NAMDINH", "Nam Định", "dong-bang-song-hong", "Trường Chính trị Trường Chinh"),
    _provincial("THAIBINH", "Thái Bình", "dong-bang-song-hong"),
    _provincial("NINHBINH", "Ninh Bình", "dong-bang-song-hong"),
    # North Central (sample)
    _provincial("THANHHOA", "Thanh Hóa", "bac-trung-bo"),
    _provincial("NGHEAN", "Nghệ An", "bac-trung-bo"),
    _provincial("HATINH", "Hà Tĩnh", "bac-trung-bo", "Trường Chính trị Trần Phú"),
    _provincial("QUANGBINH", "Quảng Bình", "bac-trung-bo"),
    _provincial("QUANGTRI", "Quảng Trị", "bac-trung-bo", "Trường Chính trị Lê Duẩn"),
    _provincial("THUATHIENHUE", "Thừa Thiên Huế", "bac-trung-bo"),
    _provincial("DANANG", "Đà Nẵng", "bac-trung-bo", city=True),
    # South Central and Central Highlands (confirmed membership)
    _provincial("QUANGNAM", "Quảng Nam", "nam-trung-bo-tay-nguyen"),
    _provincial("QUANGNGAI", "Quảng Ngãi", "nam-trung-bo-tay-nguyen"),
    _provincial("BINHDINH", "Bình Định", "nam-trung-bo-tay-nguyen"),
    _provincial("PHUYEN", "Phú Yên", "nam-trung-bo-tay-nguyen"),
    _provincial("KHANHHOA", "Khánh Hòa", "nam-trung-bo-tay-nguyen"),
    _provincial("KONTUM", "Kon Tum", "nam-trung-bo-tay-nguyen"),
    _provincial("GIALAI", "Gia Lai", "nam-trung-bo-tay-nguyen"),
    _provincial("DAKLAK", "Đắk Lắk", "nam-trung-bo-tay-nguyen"),
    _provincial("DAKNONG", "Đắk Nông", "nam-trung-bo-tay-nguyen"),
    _provincial("LAMDONG", "Lâm Đồng", "nam-trung-bo-tay-nguyen"),
    # South East (sample)
    _provincial("HOCHIMINH", "Thành phố Hồ Chí Minh", "dong-nam-bo", "Học viện Cán bộ Thành phố Hồ Chí Minh"),
    _provincial("BINHDUONG", "Bình Dương", "dong-nam-bo"),
    _provincial("DONGNAI", "Đồng Nai", "dong-nam-bo"),
    _provincial("BARIAVUNGTAU", "Bà Rịa - Vũng Tàu", "dong-nam-bo"),
    _provincial("BINHPHUOC", "Bình Phước", "dong-nam-bo"),
    _provincial("TAYNINH", "Tây Ninh", "dong-nam-bo"),
    _provincial("NINHTHUAN", "Ninh Thuận", "dong-nam-bo"),
    _provincial("BINHTHUAN", "Bình Thuận", "dong-nam-bo"),
    _provincial("LONGAN", "Long An", "dong-nam-bo"),
    # Mekong Delta (12 schools confirmed; which twelve is sample)
    _provincial("TIENGIANG", "Tiền Giang", "dong-bang-song-cuu-long"),
    _provincial("BENTRE", "Bến Tre", "dong-bang-song-cuu-long"),
    _provincial("TRAVINH", "Trà Vinh", "dong-bang-song-cuu-long"),
    _provincial("VINHLONG", "Vĩnh Long", "dong-bang-song-cuu-long"),
    _provincial("DONGTHAP", "Đồng Tháp", "dong-bang-song-cuu-long"),
    _provincial("ANGIANG", "An Giang", "dong-bang-song-cuu-long"),
    _provincial("KIENGIANG", "Kiên Giang", "dong-bang-song-cuu-long"),
    _provincial("CANTHO", "Cần Thơ", "dong-bang-song-cuu-long", city=True),
    _provincial("HAUGIANG", "Hậu Giang", "dong-bang-song-cuu-long"),
    _provincial("SOCTRANG", "Sóc Trăng", "dong-bang-song-cuu-long"),
    _provincial("BACLIEU", "Bạc Liêu", "dong-bang-song-cuu-long", "Trường Chính trị Châu Văn Đặng"),
    _provincial("CAMAU", "Cà Mau", "dong-bang-song-cuu-long"),
]

MINISTRY = [
    SeedSchool(
        "BO-CONGTHUONG",
        "Trường Đào tạo, bồi dưỡng cán bộ Công Thương",
        "ministry",
        "Bộ Công Thương",
        "bo-nganh",
    ),
    SeedSchool("BO-TAICHINH", "Trường Bồi dưỡng cán bộ tài chính", "ministry", "Bộ Tài chính", "bo-nganh"),
    SeedSchool("BO-TUPHAP", "Trường Cán bộ Tư pháp", "ministry", "Bộ Tư pháp", "bo-nganh"),
    SeedSchool(
        "BO-GTVT", "Trường Cán bộ quản lý Giao thông vận tải", "ministry", "Bộ Giao thông vận tải", "bo-nganh"
    ),
    SeedSchool(
        "HV-PHUNU", "Học viện Phụ nữ Việt Nam", "ministry", "Hội Liên hiệp Phụ nữ Việt Nam", "bo-nganh"
    ),
]


def school_id(code: str) -> str:
    """Return the stable id the seed gives a school code."""
    return f"sch_{code.lower().replace('-', '_')}"
