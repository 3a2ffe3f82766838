"""Markup injected through every user string (names, descriptions, labels, file names) stays text in the report.

Checked twice: in the HTML text (escaped and isolated in ``<bdi>``) and in
headless Chromium, whose DOM after loading must hold no injected element,
run no injected script, and show each string literally.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from analysis.cli import main

from .hostile_inputs import tiny_data, write_toml
from .test_experiments_report import CHROMIUM, CHROMIUM_FLAGS

# Browser, every results kind or many generated inputs: the full suite, not the fast loop.
pytestmark = pytest.mark.slow

PWN = "document.title='pwned';document.documentElement.setAttribute('data-pwned','1')"
INJECTED = {
    "scenario name": f'<img src=x onerror="{PWN}">',
    "scenario description": f"<script>{PWN}</script> \u05e9\u05dc\u05d5\u05dd, right to left",
    "scenario file name": "<svg onload=alert(1)>",
    "sweep name": "<iframe srcdoc='&lt;img src=z onerror=alert(1)&gt;'>",  # no '/': the name is a folder
    "sweep description": '<a href="javascript:alert(1)">click</a>',
    "factor label": "<b onmouseover=alert(1)>wage</b> \u0627\u0644\u0623\u062c\u0631",
}
# What each would become if the page put it in as markup (tags appearing as elements); the page's own
# markup has none of these (images are <img alt=...>, links <a href="#...">).
ELEMENTS = re.compile(r"<(img src=[xyz]|script|svg|iframe)\b|<a href=\"javascript|<b onmouseover", re.IGNORECASE)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("injected")
    plain = write_toml(folder / "plain.toml", tiny_data())
    hostile = tiny_data()
    hostile["name"], hostile["description"] = INJECTED["scenario name"], INJECTED["scenario description"]
    marked = write_toml(folder / f"{INJECTED['scenario file name']}.toml", hostile)
    assert main(["compare", str(plain), str(marked), "--reps", "2", "--workers", "1", "--quiet",
                 "--out", str(folder / "compare")]) == 0
    sweep = folder / "sweep.toml"
    sweep.write_text("\n".join([
        'base = "plain.toml"', f"name = {json.dumps(INJECTED['sweep name'])}",
        f"description = {json.dumps(INJECTED['sweep description'], ensure_ascii=False)}", "replications = 2",
        '[design]', 'kind = "oat"', '[[factors]]', 'path = "agent_groups.front.wage_per_hour"',
        f"label = {json.dumps(INJECTED['factor label'], ensure_ascii=False)}", "values = [18.0, 24.0]", ""]),
        encoding="utf-8")
    assert main(["sweep", str(sweep), "--workers", "1", "--quiet", "--out", str(folder / "sweep")]) == 0
    pages = {}
    for name in ("compare", "sweep"):
        assert main(["report", str(folder / name)]) == 0
        pages[name] = (folder / name / "report.html")
    return pages


def _user_strings(page: str) -> list[str]:
    return {"compare": ["scenario name", "scenario description", "scenario file name"],
            "sweep": ["sweep name", "sweep description", "factor label"]}[page]


@pytest.mark.parametrize("page", ["compare", "sweep"])
def test_user_strings_are_escaped_and_isolated_in_the_html(reports, page):
    text = reports[page].read_text(encoding="utf-8")
    assert not ELEMENTS.search(text.split("</style>", 1)[1].replace("<bdi>", "").replace("</bdi>", ""))
    for key in _user_strings(page):
        escaped = INJECTED[key].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
            .replace('"', "&quot;").replace("'", "&#x27;")
        right_to_left = any("\u0590" <= character <= "\u06ff" for character in INJECTED[key])
        assert (f"<bdi>{escaped}</bdi>" if right_to_left else escaped) in text, key


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@pytest.mark.parametrize("page", ["compare", "sweep"])
def test_injected_markup_stays_text_in_headless_chromium(reports, tmp_path, page):
    flags = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", reports[page].resolve().as_uri()], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert 'data-pwned="1"' not in dom and "<title>pwned" not in dom  # no injected script ran
    body = dom.split("</style>", 1)[1].replace("<bdi>", "").replace("</bdi>", "")
    assert not ELEMENTS.search(body)  # no injected element exists
    for key in _user_strings(page):  # each string is shown as the text it is
        shown = INJECTED[key].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert shown in body, key


def test_hidden_characters_in_a_hand_edited_results_file_are_shown_not_obeyed(reports, tmp_path):
    """Validation refuses bidi controls in input files; a results file written by hand is neutralised instead."""
    copy = tmp_path / "edited"  # a folder without ccsim's record of what it wrote, as from elsewhere
    copy.mkdir()
    meta = json.loads((reports["sweep"].parent / "sweep.json").read_text(encoding="utf-8"))
    meta["name"] = "budget\u202eevil"
    meta["spec"]["description"] = "\u0645\u064a\u0632\u0627\u0646\u064a\u0629 2024"  # right-to-left, then a number
    (copy / "sweep.json").write_text(json.dumps(meta), encoding="utf-8")
    assert main(["report", str(copy)]) == 0
    text = (copy / "report.html").read_text(encoding="utf-8")
    assert "\u202e" not in text and "Sweep budget\\u202eevil" in text
    assert "<bdi>\u0645\u064a\u0632\u0627\u0646\u064a\u0629 2024</bdi>" in text
