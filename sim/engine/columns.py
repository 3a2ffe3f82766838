"""The columns the collector counts (:mod:`.collector`), and the public columns that follow from them."""

from __future__ import annotations

import numpy as np

# Counted per contact type, segment and arrival interval, as contacts end (the channel columns after
# ``lost`` also as things happen: callbacks offered, switches to another channel; ``complaints`` holds the
# expected complaints, the sum of each contact's complaint chance).
STORED_COLUMNS = (
    "answered", "answered_within_threshold", "wait_seconds_answered", "handle_seconds", "answered_resolved",
    "answered_vendor", "vendor_handle_seconds", "abandoned", "wait_seconds_abandoned", "in_system",
    "in_system_queued", "wait_seconds_in_system", "ai_sessions", "ai_session_seconds", "ai_contained",
    "ai_resolved", "ai_abandoned", "escalated", "repeat_contacts", "csat_sum", "loyal", "lost",
    "session_seconds", "silent_abandoned", "deferred_due", "deferred_within", "callbacks_offered",
    "callbacks_accepted", "callbacks_completed", "callback_promises_kept", "abandonment_saved",
    "callback_wait_seconds", "switched_out", "frustrated_escalations", "complaints",
)
# Per-interval agent time (by when it is spent), in agent-seconds.
TIME_COLUMNS = ("busy_seconds", "duty_seconds", "away_seconds", "vendor_busy_seconds", "vendor_duty_seconds")
# Per handler totals (in engine pool order): contacts answered and their handle seconds (counted for vendors
# only: the vendors' prices need them), overtime seconds in the horizon (in-house groups), and breaks due in
# the horizon, deferred and missed under a break-deferral rule (see sim.engine.breaks).
HANDLER_COLUMNS = ("answered", "handle_seconds", "overtime_seconds", "breaks_due", "breaks_deferred",
                   "breaks_missed")
WAIT_HISTOGRAM_SECONDS = 3600  # 1-second bins; the last bin holds every longer wait

COLUMN_INDEX = {name: index for index, name in enumerate(STORED_COLUMNS)}


def within_column(threshold: float) -> str:
    """Name of the extra column counting contacts answered within ``threshold`` seconds."""
    return f"answered_within_{threshold:g}s"


def derived_columns(stored: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The public contact columns from the stored ones (arrays of any shape)."""
    answered, abandoned = stored["answered"], stored["abandoned"]
    contained, ai_abandoned, in_system = stored["ai_contained"], stored["ai_abandoned"], stored["in_system"]
    handled = answered + contained
    return {
        "offered": answered + contained + abandoned + ai_abandoned + in_system,
        "offered_to_queue": answered + abandoned + stored["in_system_queued"],
        "wait_seconds_queued": (stored["wait_seconds_answered"] + stored["wait_seconds_abandoned"]
                                + stored["wait_seconds_in_system"]),
        "answered_inhouse": answered - stored["answered_vendor"],
        "inhouse_handle_seconds": stored["handle_seconds"] - stored["vendor_handle_seconds"],
        "handled": handled,
        "handled_resolved": stored["answered_resolved"] + stored["ai_resolved"],
        "csat_count": handled + abandoned + ai_abandoned,
    }
