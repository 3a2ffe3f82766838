"""Time with the bot / voice-response unit, and the share of contacts it resolves.

The bot-time distribution is fitted like handle time (same candidate
families, no short-call exclusion) to every contact with a known bot time.
Which contacts those are depends on the log: in the Anonymous Bank data only
callers who went on to ask for an agent are recorded, so it is the bot time
*before transfer*, not that of callers the bot served.

The self-service share is estimated only when the log holds self-served
contacts. A log without any cannot tell "no self-service" from "self-served
contacts not logged", so the share is then reported as unknown (None) with
the reason, never guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .handle_time import DEFAULT_MAX_KS_DISTANCE, DEFAULT_MIN_SAMPLE_SIZE, DurationFit, fit_durations


@dataclass(frozen=True)
class BotTimeSummary:
    """Bot-time fit (None without bot times) and the self-service share (None when unknown)."""

    fit: DurationFit | None
    contacts_with_bot_time: int
    contacts_without_bot_time: int
    mean_seconds: float  # over every known bot time, zeros included
    self_service_share: float | None
    self_served: int
    self_service_note: str


def _self_service(contacts: pd.DataFrame) -> tuple[float | None, int, str]:
    self_served = int((contacts["outcome"] == "self_served").sum())
    if self_served == 0:
        return None, 0, ("no self-served contacts in the log: it cannot tell whether the bot resolved none "
                         "or the log leaves them out, so the self-service share is unknown")
    share = self_served / len(contacts)
    return share, self_served, f"{self_served} of {len(contacts)} contacts self-served in the log"


def summarize_bot_time(contacts: pd.DataFrame, min_sample_size: int = DEFAULT_MIN_SAMPLE_SIZE,
                       max_ks_distance: float = DEFAULT_MAX_KS_DISTANCE) -> BotTimeSummary:
    """Fit the bot-time distribution and estimate the self-service share of a canonical frame."""
    bot_seconds = contacts["bot_seconds"].to_numpy(dtype=float)
    known = ~np.isnan(bot_seconds)
    fit = None
    if known.any():
        fit = fit_durations(bot_seconds[known], label="bot_time", short_threshold_seconds=0.0,
                            min_sample_size=min_sample_size, max_ks_distance=max_ks_distance)
    share, self_served, note = _self_service(contacts)
    return BotTimeSummary(fit=fit, contacts_with_bot_time=int(known.sum()),
                          contacts_without_bot_time=int((~known).sum()),
                          mean_seconds=float(bot_seconds[known].mean()) if known.any() else math.nan,
                          self_service_share=share,
                          self_served=self_served, self_service_note=note)
