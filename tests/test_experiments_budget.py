"""Budget views: cost breakdown over whatever components exist, Pareto frontier, charts saved atomically."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

from analysis.outputs import plots
from analysis.studies.budget import cost_breakdown_table, frontier_axes, frontier_table, pareto_efficient


def _results() -> pd.DataFrame:
    rows = []
    for variant, (wages, ai, level) in enumerate([(100.0, 0.0, 0.70), (80.0, 30.0, 0.75), (120.0, 0.0, 0.90),
                                                   (130.0, 5.0, 0.85)]):
        for replication in range(2):
            rows.append({"variant": variant, "replication": replication, "cost:wages": wages + replication,
                         "cost:ai": ai, "cost:fixed": 50.0, "total_cost": wages + replication + ai + 50.0,
                         "service_level": level})
    return pd.DataFrame(rows)


def test_cost_breakdown_iterates_over_the_components_present():
    breakdown = cost_breakdown_table(_results(), by="variant")
    assert list(breakdown.columns) == ["wages", "ai", "fixed", "total"]
    assert breakdown.loc[1].tolist() == [80.5, 30.0, 50.0, 160.5]
    with pytest.raises(ValueError, match="no cost breakdown"):
        cost_breakdown_table(_results().drop(columns=["cost:wages", "cost:ai", "cost:fixed"]), by="variant")


def test_pareto_frontier_keeps_only_undominated_points():
    cost = np.array([10.0, 12.0, 11.0, 15.0, 12.0, np.nan, 10.0])
    level = np.array([0.5, 0.8, 0.4, 0.9, 0.8, 0.99, 0.5])
    assert pareto_efficient(cost, level).tolist() == [True, True, False, True, True, False, True]
    assert pareto_efficient(cost, -level, higher_y_better=False).tolist() == \
        pareto_efficient(cost, level).tolist()


def test_frontier_uses_satisfaction_when_present_else_service_level():
    results = _results()
    assert frontier_axes(results.columns) == ("total_cost", "service_level")
    assert frontier_axes([*results.columns, "csat_mean"]) == ("total_cost", "csat_mean")
    with pytest.raises(ValueError, match="'asa_seconds' is not in the results"):
        frontier_axes(results.columns, benefit="asa_seconds")
    frontier = frontier_table(results, "variant")
    assert list(frontier.index) == [0, 1, 2, 3]  # ordered by mean total cost
    assert frontier["efficient"].tolist() == [True, True, True, False]  # variant 3 costs more for less


def test_charts_are_figures_and_saved_as_complete_pngs(tmp_path):
    results = _results()
    frontier = frontier_table(results, "variant", "total_cost", "service_level")
    figures = [plots.frontier_figure(frontier, "total_cost", "service_level"),
               plots.cost_breakdown_figure(cost_breakdown_table(results, by="variant"), "variant")]
    for index, figure in enumerate(figures):
        assert isinstance(figure, Figure)
        path = plots.save_png(figure, tmp_path / "charts" / f"chart{index}.png")
        image = imread(path)
        assert image.shape[0] > 100 and image.shape[1] > 100 and image.std() > 0
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == ["chart0.png", "chart1.png"]
