"""The HTML report: self-contained, with tables and embedded figures, checked in headless Chromium."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import pytest
from matplotlib.image import imread

from analysis.cli import main

from .test_experiments_common import write_sweep, write_tiny_scenario

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IMAGE = re.compile(r'<img alt="([^"]*)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"')

OAT_SWEEP = """
name = "tiny_oat"
replications = 2
[design]
kind = "oat"
[[factors]]
path = "agent_groups.front.wage_per_hour"
low = 18.0
high = 24.0
[[factors]]
path = "contact_types.billing.handle_time.mean"
values = [3.0, 5.0]
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A comparison and a one-at-a-time sweep of the tiny scenario, with their reports."""
    folder = tmp_path_factory.mktemp("report")
    first = write_tiny_scenario(folder)
    second = write_tiny_scenario(folder, "more.toml", {"headcount = [3, 4, 3]": "headcount = [4, 5, 4]"})
    assert main(["compare", str(first), str(second), "--reps", "2", "--workers", "1", "--quiet",
                 "--out", str(folder / "compare")]) == 0
    assert main(["sweep", str(write_sweep(folder, OAT_SWEEP)), "--workers", "1", "--quiet",
                 "--out", str(folder / "sweep")]) == 0
    for name in ("compare", "sweep"):
        assert main(["report", str(folder / name)]) == 0
    return folder


def _decoded_images(html: str) -> dict[str, tuple[int, int]]:
    return {alt: imread(io.BytesIO(base64.b64decode(data)), format="png").shape[:2]
            for alt, data in IMAGE.findall(html)}


def test_report_is_self_contained_with_tables_and_figures(results):
    compare = (results / "compare" / "report.html").read_text()
    sweep = (results / "sweep" / "report.html").read_text()
    for html in (compare, sweep):
        assert not re.search(r'(src|href)="(?!data:|#)', html)  # nothing to fetch: opens offline
        assert all(height > 100 and width > 100 for height, width in _decoded_images(html).values())
    assert "Scenario comparison" in compare and "not distinguishable from noise" in compare
    compare_figures = _decoded_images(compare)
    assert {"Cost breakdown", "Service level and abandon rate per open interval (pooled over replications)"} \
        <= set(compare_figures)
    assert compare.count("<table>") >= 4  # comparison, budget and each scenario's KPIs
    sweep_figures = _decoded_images(sweep)
    assert any(alt.startswith("Swing of total_cost") for alt in sweep_figures)
    assert any(alt.startswith("Mean csat_mean against mean total_cost") or
               alt.startswith("Mean service_level against") for alt in sweep_figures)


def test_report_of_a_folder_without_results_fails_cleanly(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "holds no results" in capsys.readouterr().err
    assert not (tmp_path / "report.html").exists()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@pytest.mark.parametrize("name", ["compare", "sweep"])
def test_report_renders_in_headless_chromium(results, tmp_path, name):
    page = (results / name / "report.html").resolve().as_uri()
    flags = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", page], capture_output=True, text=True, timeout=120, check=True).stdout
    assert dom.count("<table>") >= 3 and "ccsim report" in dom
    images = _decoded_images(dom)
    assert len(images) >= 3 and all(height > 100 and width > 100 for height, width in images.values())
    shot = tmp_path / "shot.png"
    subprocess.run([*flags, "--window-size=1100,2000", f"--screenshot={shot}", page],
                   capture_output=True, timeout=120, check=True)
    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, 1100) and pixels.std() > 0.05  # something was drawn, not a blank page
