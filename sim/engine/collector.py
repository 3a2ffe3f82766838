"""Counters the engine updates as contacts end: what KPIs and interval tables are computed from.

Every contact ends exactly once: answered (when its service ends, or at the
end of the run if still in service), contained or abandoned in the AI,
abandoned in a human queue, or still in the system when the run stops. At
that moment the collector adds it to one row of counts and sums
(:data:`~.columns.STORED_COLUMNS`) kept per contact type, segment and the interval the
contact arrived in (warm-up contacts are not counted), to per-vendor totals,
and to histograms of the time waited in a human queue (answered and
abandoned contacts apart; 1-second bins up to an hour). Columns that follow
from others (e.g. contacts offered = the sum of the outcomes, since each
contact has exactly one) are derived afterwards (:func:`~.columns.derived_columns`),
so the per-contact work stays small. Totals per interval, type or segment
are sums of those rows; :mod:`.counter_arrays` turns the rows into arrays at
the end of the run.

Agent time is counted by when it is spent: busy spans (talk and after-call
work) when a service ends, spells on the phones and away when they end,
clipped to the measured horizon. So KPIs need no per-contact records, and
memory does not grow with the number of contacts.
"""

from __future__ import annotations

import numpy as np

from ..config import SECONDS_PER_DAY
from ..config.economics import Complaints
from ..records import ABANDONED, AI_ABANDONED, CONTAINED, IN_SYSTEM, RunCounters
from .columns import (
    COLUMN_INDEX,
    HANDLER_COLUMNS,
    STORED_COLUMNS,
    TIME_COLUMNS,
    WAIT_HISTOGRAM_SECONDS,
    derived_columns,
    within_column,
)
from .contact import Contact
from .counter_arrays import run_counters
from .satisfaction import Scorer

__all__ = ["COLUMN_INDEX", "Collector", "HANDLER_COLUMNS", "STORED_COLUMNS", "TIME_COLUMNS",
           "WAIT_HISTOGRAM_SECONDS", "derived_columns", "within_column"]

# Positions in a row (the hot path indexes rows instead of looking up names).
(_ANSWERED, _WITHIN, _WAIT_ANSWERED, _HANDLE_SECONDS, _ANSWERED_RESOLVED, _ANSWERED_VENDOR, _VENDOR_SECONDS,
 _ABANDONED, _WAIT_ABANDONED, _IN_SYSTEM, _IN_SYSTEM_QUEUED, _WAIT_IN_SYSTEM, _AI_SESSIONS, _AI_SECONDS,
 _AI_CONTAINED, _AI_RESOLVED, _AI_ABANDONED, _ESCALATED, _REPEATS, _CSAT_SUM, _LOYAL, _LOST,
 _SESSION_SECONDS, _SILENT, _DEFERRED_DUE, _DEFERRED_WITHIN) = range(COLUMN_INDEX["deferred_within"] + 1)
_FRUSTRATED, _COMPLAINTS = COLUMN_INDEX["frustrated_escalations"], COLUMN_INDEX["complaints"]


class Collector:
    """Streaming counters of one replication (see the module docstring).

    ``extra_thresholds``: waits (seconds) for which answers within are also
    counted (e.g. the thresholds of staffing targets), as extra columns.
    """

    HANDLER_LABELS = ("answered", "handle_seconds", "answered_at_once")  # each handler's columns in a row

    def __init__(self, interval_seconds: int, total_intervals: int, threshold_seconds: float,
                 type_names: list[str], segment_names: list[str], handler_names: list[str], scorer: Scorer,
                 extra_thresholds: tuple[float, ...] = (), type_thresholds: list[float] | None = None,
                 complaints: Complaints | None = None) -> None:
        self.step = float(interval_seconds)
        self.total_intervals = total_intervals
        self.horizon = float(interval_seconds * total_intervals)
        self.scorer = scorer
        self.loyal_at_least = scorer.loyal_at_least
        self.lost_below = scorer.lost_below
        (_, _, self._escalation_penalty, self._unresolved_penalty, self._repeat_penalty) = scorer.penalties()
        self._frustration_penalty = scorer.frustration_penalty
        # Complaint chances as the chances of no complaint, so a contact's causes multiply (Complaints.chance).
        model = complaints or Complaints()
        self.complaints = model
        (self._keep_base, self._keep_unresolved, self._keep_frustrated, self._keep_long_wait,
         self._keep_repeat) = (1.0 - model.base, 1.0 - model.unresolved, 1.0 - model.frustrated_escalation,
                               1.0 - model.long_wait, 1.0 - model.repeat)
        self._long_wait = model.long_wait_seconds
        self.type_names = list(type_names)
        self.segment_names = list(segment_names)
        self.extra_thresholds = tuple(extra_thresholds)
        # After the stored columns and the extra thresholds, per handler: answered contacts, their handle
        # seconds (what vendor prices and cost to serve need) and those answered at once (see answered).
        contact_columns = STORED_COLUMNS + tuple(within_column(threshold) for threshold in self.extra_thresholds)
        self.handled_base = len(contact_columns)
        self.columns = contact_columns + tuple(f"{name}:{label}" for name in handler_names
                                               for label in self.HANDLER_LABELS)
        # Per handler and contact type: score, loyal, lost of a contact answered at once (immediate_scores).
        self.immediate_terms = np.zeros((len(handler_names), len(type_names), 3))
        # Row of (type, segment, interval) at (type x segments + segment) x intervals + interval; made on first use.
        self.rows: list[list[float] | None] = [None] * (len(type_names) * len(segment_names) * total_intervals)
        self._per_type = len(segment_names) * total_intervals
        self.handler_names = list(handler_names)
        # Per handler: agent-seconds busy, on the phones and away per interval.
        self.handler_time = [([0.0] * total_intervals, [0.0] * total_intervals, [0.0] * total_intervals)
                             for _ in handler_names]
        self.by_handler = [[0.0] * len(HANDLER_COLUMNS) for _ in handler_names]
        self.answered_waits = [0] * (WAIT_HISTOGRAM_SECONDS + 1)
        self.abandoned_waits = [0] * (WAIT_HISTOGRAM_SECONDS + 1)
        self.warmup_ended = 0  # warm-up contacts that ended (the others are counted in the rows)
        # Service-level threshold and wait penalty of each type's channel.
        self._type_thresholds = list(type_thresholds) if type_thresholds is not None else \
            [threshold_seconds] * len(type_names)
        self._type_penalties = [scorer.wait_penalty(index) for index in range(len(type_names))]
        # Complaint chance of a contact answered at once, resolved, on its first attempt (see answered).
        keep = self._keep_base * (self._keep_long_wait if 0.0 >= self._long_wait else 1.0)
        self.immediate_complaint = 1.0 - keep
        days = max(1, int(round(self.horizon / SECONDS_PER_DAY)))
        self.day_end_backlog = np.zeros((len(type_names), days))
        self.day_end_oldest = np.zeros((len(type_names), days))

    def _row(self, contact: Contact) -> list[float] | None:
        """The contact's row, counting the attributes every outcome shares; None for warm-up contacts."""
        arrival = contact.arrival_time
        if arrival < 0.0:
            self.warmup_ended += 1
            return None
        position = (contact.contact_type * self._per_type + contact.segment * self.total_intervals
                    + int(arrival // self.step))
        row = self.rows[position]
        if row is None:
            row = self.rows[position] = [0.0] * len(self.columns)
        if contact.origin == "repeat":
            row[_REPEATS] += 1.0
        if contact.escalated:
            row[_ESCALATED] += 1.0
            if contact.frustrated:
                row[_FRUSTRATED] += 1.0
        return row

    # --- contacts ---------------------------------------------------------------------------

    def answered(self, contact: Contact, now: float, pool, session: bool = False) -> list[float] | None:
        """A human finished a contact (or is still on it when the run ends): count it (its wait against its
        channel's threshold or its deferred target, the agent time it took, its score) and, for a call, the
        agent's busy time. Returns the contact's row (None for a warm-up contact).

        ``session``: a chat or backlog item, whose agent holds several at once: the agent's busy time is
        counted per agent elsewhere, the contact's handle seconds are the agent's share of time on it, and
        its time in session is counted apart. Scorer.score is written out here (tests check they agree):
        this runs for most contacts.
        """
        answer = contact.answer_time
        step = self.step
        if session:
            seconds = contact.agent_seconds
        else:
            seconds = contact.handle_time + contact.after_call_work
            busy_bin = int(answer // step)
            if answer >= 0.0 and now <= self.horizon and busy_bin == int(now // step):
                pool.busy_bins[busy_bin] += now - answer  # the usual case: within one interval
            else:
                self.span(pool.busy_bins, answer, now)
        arrival = contact.arrival_time
        if arrival < 0.0:
            self.warmup_ended += 1
            return None
        contact_type = contact.contact_type
        position = contact_type * self._per_type + contact.segment * self.total_intervals + int(arrival // step)
        row = self.rows[position]
        if row is None:
            row = self.rows[position] = [0.0] * len(self.columns)
        wait = answer - contact.queue_entry_time
        handled = pool.handled_column
        row[handled] += 1.0  # answered: the total is the sum over handlers (counters)
        row[handled + 1] += seconds
        if (wait == 0.0 and contact.attempt == 0 and contact.resolved and not session
                and contact.ai_entry_time != contact.ai_entry_time):
            # Answered at once, a first attempt that never met the AI, resolved: most calls where a center
            # meets its target. Its wait adds nothing, it is within every threshold, and its complaint
            # chance and score are constants of the handler and type (what the general path below gives),
            # so only their number is counted here; counters adds what they contribute.
            row[handled + 2] += 1.0
            contact.csat = pool.immediate_score_by_type[contact_type]
            return row
        row[_WAIT_ANSWERED] += wait
        due = contact.due_time
        if due == due:  # a backlog item: judged against its deferred target
            row[_DEFERRED_DUE] += 1.0
            within = answer <= due
            if within:
                row[_DEFERRED_WITHIN] += 1.0
        else:
            within = wait <= self._type_thresholds[contact_type]
        if within:
            row[_WITHIN] += 1.0
        if self.extra_thresholds:
            for column, threshold in enumerate(self.extra_thresholds, start=len(STORED_COLUMNS)):
                if wait <= threshold:
                    row[column] += 1.0
        if wait <= 0.0:
            self.answered_waits[0] += 1
        else:
            bin_ = int(wait) + 1
            self.answered_waits[bin_ if bin_ < WAIT_HISTOGRAM_SECONDS else WAIT_HISTOGRAM_SECONDS] += 1
        escalated = contact.escalated
        frustrated = contact.frustrated
        if escalated:
            row[_ESCALATED] += 1.0
            if frustrated:
                row[_FRUSTRATED] += 1.0
        if contact.origin == "repeat":
            row[_REPEATS] += 1.0
        resolved = contact.resolved
        if resolved:
            row[_ANSWERED_RESOLVED] += 1.0
        ai_entry = contact.ai_entry_time
        waited = wait + self._ai_session(contact, now, row) if ai_entry == ai_entry else wait
        # Complaints.chance written out, likewise.
        keep = self._keep_base
        if not resolved:
            keep *= self._keep_unresolved
        if frustrated:
            keep *= self._keep_frustrated
        if waited >= self._long_wait:
            keep *= self._keep_long_wait
        repeats = contact.repeats
        if repeats:
            keep *= self._keep_repeat ** repeats
        row[_COMPLAINTS] += 1.0 - keep
        per_minute, cap = self._type_penalties[contact_type]
        penalty = per_minute * waited / 60.0
        score = pool.csat_base_by_type[contact_type] - (penalty if penalty < cap else cap)
        if escalated:
            score -= self._escalation_penalty
            if frustrated:
                score -= self._frustration_penalty
        if not resolved:
            score -= self._unresolved_penalty
        attempt = contact.attempt
        if attempt:
            score -= self._repeat_penalty * attempt
        if score < 0.0:
            score = 0.0
        elif score > 100.0:
            score = 100.0
        # _score written out: this runs for every answered contact, and the call would cost ~3% of a run.
        contact.csat = score
        row[_CSAT_SUM] += score
        if score >= self.loyal_at_least:
            row[_LOYAL] += 1.0
        if score < self.lost_below:
            row[_LOST] += 1.0
        if session:
            row[_SESSION_SECONDS] += contact.handle_time
        return row

    def end(self, contact: Contact, now: float) -> None:
        """Count a contact that ended without a human answering it (``now``: the end of the run for
        unfinished ones)."""
        row = self._row(contact)
        if row is None:
            return
        ai_entry = contact.ai_entry_time
        ai_wait = self._ai_session(contact, now, row) if ai_entry == ai_entry else 0.0  # NaN: never in the AI
        entry = contact.queue_entry_time
        wait = 0.0
        if entry == entry:  # offered to a human queue
            end = contact.end_time
            wait = (end if end == end else now) - entry
        outcome = contact.outcome
        scorer = self.scorer
        complaints = self.complaints
        due = contact.due_time
        if due == due and (outcome != IN_SYSTEM or due <= now):  # a backlog item ended, or overdue
            row[_DEFERRED_DUE] += 1.0
        if outcome == CONTAINED:
            row[_AI_CONTAINED] += 1.0
            if contact.resolved:
                row[_AI_RESOLVED] += 1.0
            score = scorer.handled("ai", "ai", ai_wait, contact.escalated, contact.resolved, contact.attempt,
                                   contact.contact_type)
            row[_COMPLAINTS] += complaints.chance(False, not contact.resolved, False, ai_wait, False, contact.repeats)
        elif outcome == ABANDONED:
            row[_ABANDONED] += 1.0
            row[_WAIT_ABANDONED] += wait
            _add_to_histogram(self.abandoned_waits, wait)
            if contact.silent_since == contact.silent_since:
                row[_SILENT] += 1.0
            score = scorer.abandoned
            row[_COMPLAINTS] += complaints.chance(False, False, contact.frustrated, ai_wait + wait, True,
                                                  contact.repeats)
        elif outcome == AI_ABANDONED:
            row[_AI_ABANDONED] += 1.0
            score = scorer.ai_abandoned
            row[_COMPLAINTS] += complaints.chance(False, False, False, ai_wait, True, contact.repeats)
        else:  # still in the system: no score
            row[_IN_SYSTEM] += 1.0
            if entry == entry:
                row[_IN_SYSTEM_QUEUED] += 1.0
                row[_WAIT_IN_SYSTEM] += wait
            return
        self._score(contact, row, score)

    def count(self, contact: Contact, column: int, value: float = 1.0) -> None:
        """Add ``value`` to a column of the contact's row as something happens to it (callbacks, switches)."""
        if contact.arrival_time < 0.0:
            return
        position = (contact.contact_type * self._per_type + contact.segment * self.total_intervals
                    + int(contact.arrival_time // self.step))
        row = self.rows[position]
        if row is None:
            row = self.rows[position] = [0.0] * len(self.columns)
        row[column] += value

    def backlog_at_day_end(self, day: int, backlog: list[tuple[int, float]]) -> None:
        """Backlog items waiting at the end of ``day`` and the age of the oldest, per contact type."""
        for contact_type, (count, oldest) in enumerate(backlog):
            self.day_end_backlog[contact_type, day] = count
            self.day_end_oldest[contact_type, day] = oldest

    def immediate_scores(self, handler: int, base_by_type: list[float]) -> list[float]:
        """Per contact type, the score of a contact answered at once, resolved, on its first attempt by
        ``handler`` (whose base scores are ``base_by_type``); remembers it, and whether it counts as loyal
        and as lost, for :meth:`counters`."""
        scores = []
        for contact_type, base in enumerate(base_by_type):
            _, cap = self._type_penalties[contact_type]
            score = min(max(base - (0.0 if 0.0 < cap else cap), 0.0), 100.0)
            self.immediate_terms[handler, contact_type] = (score, score >= self.loyal_at_least,
                                                            score < self.lost_below)
            scores.append(score)
        return scores

    def _score(self, contact: Contact, row: list[float], score: float) -> None:
        contact.csat = score
        row[_CSAT_SUM] += score
        if score >= self.loyal_at_least:
            row[_LOYAL] += 1.0
        if score < self.lost_below:
            row[_LOST] += 1.0

    @staticmethod
    def _ai_session(contact: Contact, now: float, row: list[float]) -> float:
        """Count the AI session of a contact that went to the AI; returns the time it waited for one."""
        start = contact.ai_start_time
        if start == start:
            row[_AI_SESSIONS] += 1.0
            session_end = start + contact.ai_session_time
            row[_AI_SECONDS] += (session_end if session_end < now else now) - start
            return start - contact.ai_entry_time
        if contact.queue_entry_time != contact.queue_entry_time:
            # Waited for a session and gave up, or was still waiting at the end (an AI that was full
            # and sent the contact on to a human at once made it wait for nothing).
            end = contact.end_time
            return (end if end == end else now) - contact.ai_entry_time
        return 0.0

    # --- agent time -------------------------------------------------------------------------

    def agent_time_bins(self, handler: int) -> tuple[list[float], list[float], list[float]]:
        """A handler's per-interval agent-seconds: busy, on the phones, away (filled by :meth:`span`)."""
        return self.handler_time[handler]

    def span(self, bins: list[float], start: float, end: float) -> None:
        """Add agent time ``[start, end)`` (clipped to the horizon) to interval ``bins``."""
        if start < 0.0:
            start = 0.0
        if end > self.horizon:
            end = self.horizon
        if end <= start:
            return
        step = self.step
        index = int(start // step)
        while True:
            boundary = (index + 1) * step
            if end <= boundary:
                bins[index] += end - start
                return
            bins[index] += boundary - start
            start = boundary
            index += 1

    def overtime(self, handler: int, start: float, end: float) -> None:
        """An overtime spell ended: its part inside the horizon."""
        start, end = max(start, 0.0), min(end, self.horizon)
        if end > start:
            self.by_handler[handler][2] += end - start

    # --- the end ----------------------------------------------------------------------------

    def counters(self, handler_kinds: list[str]) -> RunCounters:
        """The counts as arrays (see :func:`.counter_arrays.run_counters`)."""
        return run_counters(self, handler_kinds)


def _add_to_histogram(bins: list[int], wait: float) -> None:
    """Bin 0: no wait; bin k: a wait in [k - 1, k) seconds; the last bin: an hour or more."""
    if wait <= 0.0:
        bins[0] += 1
        return
    position = int(wait) + 1
    bins[position if position < WAIT_HISTOGRAM_SECONDS else WAIT_HISTOGRAM_SECONDS] += 1
