"""The 2023 clusters by region, with which parts are confirmed (DOMAIN.md) and which are sample data."""

from __future__ import annotations

from typing import NamedTuple


class SeedCluster(NamedTuple):
    """A 2023 cluster: key, name, region, head and deputy codes, and whether it is sample data."""

    key: str
    name: str
    region: str
    head: str
    deputies: tuple[str, ...]
    sample_data: bool


YEAR = 2023

CLUSTERS = [
    SeedCluster(
        "trung-du-bac",
        "Cụm thi đua các trường chính trị khu vực Trung du miền núi phía Bắc",
        "Trung du và miền núi phía Bắc",
        "HOABINH",
        ("PHUTHO",),
        False,
    ),
    SeedCluster(
        "mien-nui-bien-gioi",
        "Cụm thi đua các trường chính trị khu vực miền núi biên giới phía Bắc",
        "Miền núi biên giới phía Bắc",
        "LAOCAI",
        ("SONLA",),
        True,
    ),
    SeedCluster(
        "dong-bang-song-hong",
        "Cụm thi đua các trường chính trị khu vực Đồng bằng sông Hồng",
        "Đồng bằng sông Hồng",
        "HAIPHONG",
        ("NAMDINH", "BACNINH"),
        True,
    ),
    SeedCluster(
        "bac-trung-bo",
        "Cụm thi đua các trường chính trị khu vực Bắc Trung Bộ",
        "Bắc Trung Bộ",
        "NGHEAN",
        ("HATINH",),
        True,
    ),
    SeedCluster(
        "nam-trung-bo-tay-nguyen",
        "Cụm thi đua các trường chính trị khu vực Nam Trung Bộ và Tây Nguyên",
        "Nam Trung Bộ và Tây Nguyên",
        "KHANHHOA",
        ("GIALAI",),
        False,
    ),
    SeedCluster(
        "dong-nam-bo",
        "Cụm thi đua các trường chính trị khu vực Đông Nam Bộ",
        "Đông Nam Bộ",
        "DONGNAI",
        ("BINHDUONG",),
        True,
    ),
    SeedCluster(
        "dong-bang-song-cuu-long",
        "Cụm thi đua các trường chính trị khu vực Đồng bằng sông Cửu Long",
        "Đồng bằng sông Cửu Long",
        "CANTHO",
        ("ANGIANG",),
        True,
    ),
    SeedCluster(
        "bo-nganh",
        "Cụm thi đua các trường cán bộ bộ, ngành, đoàn thể Trung ương",
        "Bộ, ngành, đoàn thể Trung ương",
        "BO-TUPHAP",
        ("BO-TAICHINH",),
        True,
    ),
]
"""Confirmed: the members of the Northern midlands cluster and Hòa Bình as its 2023 head, and the ten
members of the South-Central and Central Highlands cluster. Every other head and deputy, and the other
memberships, are sample data filled by region."""


def cluster_id(key: str) -> str:
    """Return the stable id the seed gives a 2023 cluster."""
    return f"cl_{YEAR}_{key.replace('-', '_')}"
