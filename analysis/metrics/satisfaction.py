"""Per-contact satisfaction scores (0-100) and the shares of loyal and lost contacts.

The model and its parameters are documented in :class:`sim.config.economics.Satisfaction`;
every parameter comes from the scenario. Scores are a pure function of the
contact records.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import Scenario
from sim.records import ABANDONED, AI_ABANDONED, ANSWERED, CONTAINED


def satisfaction_scores(contacts: pd.DataFrame, scenario: Scenario) -> pd.Series:
    """Score of every contact; NaN for contacts still in the system at the end."""
    model = scenario.satisfaction
    vendor_base = {vendor.name: vendor.satisfaction if vendor.satisfaction is not None else model.vendor
                   for vendor in scenario.vendors}
    outcome = contacts["outcome"].astype(str).to_numpy()
    kind = contacts["handler_kind"].astype(str).to_numpy()
    handler = contacts["handler"].astype(str).to_numpy()
    base = np.select(
        [kind == "inhouse", kind == "ai", kind == "vendor"],
        [model.inhouse, model.ai, np.array([vendor_base.get(name, model.vendor) for name in handler])],
        default=np.nan)
    waited = (np.nan_to_num(contacts["wait_seconds"].to_numpy(float))
              + np.nan_to_num(contacts["ai_wait_seconds"].to_numpy(float)))
    score = (base
             - np.minimum(model.wait_penalty_per_minute * waited / 60.0, model.max_wait_penalty)
             - model.escalation_penalty * contacts["escalated"].to_numpy(bool)
             - model.unresolved_penalty * ~contacts["resolved"].to_numpy(bool)
             - model.repeat_penalty * contacts["attempt"].to_numpy(float))
    score = np.where((outcome == ANSWERED) | (outcome == CONTAINED), np.clip(score, 0.0, 100.0), np.nan)
    score = np.where(outcome == ABANDONED, model.abandoned, score)
    score = np.where(outcome == AI_ABANDONED, model.ai_abandoned, score)
    return pd.Series(score, index=contacts.index, name="csat")


def satisfaction_kpis(scores: pd.Series, scenario: Scenario) -> dict[str, float]:
    """Mean score and the shares of loyal (>= loyal_at_least) and lost (< lost_below) contacts."""
    model = scenario.satisfaction
    scored = scores.dropna()
    if scored.empty:
        return {"csat_mean": float("nan"), "loyal_share": float("nan"), "lost_share": float("nan")}
    return {
        "csat_mean": float(scored.mean()),
        "loyal_share": float((scored >= model.loyal_at_least).mean()),
        "lost_share": float((scored < model.lost_below).mean()),
    }
