"""KPI definitions live in one module; README's table is generated from it and must match."""

from __future__ import annotations

from pathlib import Path

from analysis.metrics.kpis import KPIS, kpi_table_markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_kpi_table_is_the_generated_one():
    text = README.read_text(encoding="utf-8")
    assert kpi_table_markdown() in text, (
        "README's KPI table differs from analysis.metrics.kpis.KPIS; regenerate it with "
        "python -c 'from analysis.metrics.kpis import kpi_table_markdown; print(kpi_table_markdown())'")


def test_every_kpi_has_a_unit_and_a_definition():
    units = {"contacts", "customers", "share", "seconds", "score", "hours", "currency", "ratio", "breaks"}
    for name, kpi in KPIS.items():
        assert kpi.unit in units, name
        assert kpi.definition and "|" not in kpi.definition, name
