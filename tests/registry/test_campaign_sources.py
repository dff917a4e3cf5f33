"""Every rule of the 2023 campaign says where it comes from: the letter, Hướng dẫn 30, the Law, or ours."""

from __future__ import annotations

from services.registry.contracts import CampaignContentV1
from services.registry.seed.campaign_2023 import GUIDE_30, LAW, LETTER, OURS, campaign_2023
from services.sources import cited, rule_keys


def test_every_rule_of_the_2023_campaign_carries_its_source() -> None:
    campaign = CampaignContentV1().load(campaign_2023())  # with every default the schema fills in
    keys = rule_keys(campaign)
    assert {"deadlines.PLAN", "award_rules.incomplete_dossier", "retention.personal_data_years"} <= set(keys)
    unsourced = [key for key in keys if key not in campaign["sources"]]
    assert unsourced == []
    documents = {campaign["sources"][key]["document"] for key in keys}
    assert documents <= {LETTER, GUIDE_30, LAW, OURS}
    assert campaign["sources"]["deadlines.PLAN"]["article"].startswith("mục I.3")
    assert campaign["sources"]["inspections"]["document"] == GUIDE_30  # where the letter applies it


def test_a_rule_may_carry_the_day_from_which_it_applies_and_none_is_invented() -> None:
    content = campaign_2023()
    content["sources"] = {
        **content["sources"],
        "retention.personal_data_years": {"document": "Văn bản mới", "applies_from": "2026-01-01"},
    }
    campaign = CampaignContentV1().load(content)
    dated = cited(campaign, "retention.personal_data_years")
    assert dated["source"]["applies_from"].isoformat() == "2026-01-01"
    assert cited({"sources": {}}, "targets") == {"rule": "targets"}
