"""The alerts, scrape configurations and dashboard in deploy/: valid for promtool, each alert unit-tested,
and every metric they name one the suite exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "thidua-dashboard.json"
DECLARED = re.compile(r"""(?:Counter|Gauge|Histogram|GaugeMetricFamily)\(\s*["'](thidua_[a-z_]+)["']""")
NAMED = re.compile(r"\b(thidua_[a-z_]+|up)\b")


def promtool(*args: str, cwd: Path = PROMETHEUS) -> str:
    """Run promtool (Debian's prometheus package; CI installs it) and return what it printed."""
    if shutil.which("promtool") is None:
        if IN_CI:
            pytest.fail(
                "promtool is missing: make test (deploy/test.sh) installs Debian's prometheus package"
            )
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    done = subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def exported_metrics() -> set[str]:
    """Return the metric names the suite's code declares (histograms also as their _bucket series)."""
    names: set[str] = set()
    for path in [*(ROOT / "shared").rglob("*.py"), *(ROOT / "services").rglob("*.py")]:
        names |= set(DECLARED.findall(path.read_text()))
    return names | {f"{n}_bucket" for n in names} | {"up"}


def alert_names() -> list[str]:
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    return [rule["alert"] for group in rules["groups"] for rule in group["rules"]]


def test_the_alerts_are_valid_and_each_has_a_unit_test_that_passes() -> None:
    assert "SUCCESS: 10 rules found" in promtool("check", "rules", "alerts.yml")
    assert "SUCCESS" in promtool("test", "rules", "alerts.test.yml")
    tests = yaml.safe_load((PROMETHEUS / "alerts.test.yml").read_text())["tests"]
    firing = {
        case["alertname"] for test in tests for case in test["alert_rule_test"] if case.get("exp_alerts")
    }
    assert firing == set(alert_names()), "every alert has a test in which it fires"


def test_both_scrape_configurations_are_valid() -> None:
    for config in ("prometheus.yml", "prometheus-compose.yml"):
        assert "SUCCESS" in promtool("check", "config", config)


def test_every_metric_an_alert_or_a_panel_names_is_one_the_suite_exports() -> None:
    exported = exported_metrics()
    assert {"thidua_lease_held", "thidua_worker_ready", "thidua_audit_chain_ok"} <= exported
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    alerting = {m for g in rules["groups"] for r in g["rules"] for m in NAMED.findall(r["expr"])}
    panels = json.loads(DASHBOARD.read_text())["panels"]
    charted = {m for p in panels for t in p["targets"] for m in NAMED.findall(t["expr"])}
    assert alerting - exported == set()
    assert charted - exported == set()


def test_the_dashboard_is_well_formed_and_its_queries_parse(tmp_path: Path) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    panels = dashboard["panels"]
    assert dashboard["uid"] and dashboard["schemaVersion"] >= 36 and panels
    assert len({p["id"] for p in panels}) == len(panels), "panel ids are unique"
    cells = [
        (x, y)
        for p in panels
        for x in range(p["gridPos"]["x"], p["gridPos"]["x"] + p["gridPos"]["w"])
        for y in range(p["gridPos"]["y"], p["gridPos"]["y"] + p["gridPos"]["h"])
    ]
    assert len(cells) == len(set(cells)), "no panel covers another"
    assert all(p["gridPos"]["x"] + p["gridPos"]["w"] <= 24 for p in panels)
    assert all(p["datasource"]["uid"] == "${datasource}" for p in panels)
    recorded = [
        {"record": f"dashboard:panel{p['id']}:{t['refId']}", "expr": t["expr"]}
        for p in panels
        for t in p["targets"]
    ]
    (tmp_path / "panels.yml").write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": recorded}]}))
    assert f"SUCCESS: {len(recorded)} rules found" in promtool("check", "rules", "panels.yml", cwd=tmp_path)
