"""A roster as a Gantt chart: one row per agent, the days of the rotation side by side.

Work is drawn in the colour of the agent's contract, paid breaks in grey,
unpaid breaks as gaps. When no shift runs past midnight, each day shows only
the hours anyone works (the same window every day), so a week stays
readable; otherwise days are drawn around the clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.config import MINUTES_PER_DAY

from .contracts import DAYS_PER_WEEK
from .tour_assign import AgentTour, describe_day

_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:cyan")
_BREAK_COLOUR = "0.8"
_GAP_MINUTES = 30


def plot_roster_gantt(tours: Sequence[AgentTour], weeks: int = 1, title: str | None = None) -> Figure:
    """Gantt chart of ``tours`` over a rotation of ``weeks`` weeks."""
    shifts = [shift for tour in tours for _, shift in tour.shifts]
    first = min((shift.start_minutes for shift in shifts), default=0)
    last = max((shift.end_minutes for shift in shifts), default=MINUTES_PER_DAY)
    if last > MINUTES_PER_DAY:
        low, width, gap = 0, MINUTES_PER_DAY, 0
    else:
        low = 60 * (first // 60)
        width, gap = 60 * math.ceil(last / 60) - low, _GAP_MINUTES
    days = DAYS_PER_WEEK * weeks
    figure = Figure(figsize=(min(4 + 2.2 * days, 40), 1.6 + 0.14 * max(len(tours), 8)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    contracts = list(dict.fromkeys(tour.contract for tour in tours))
    colour = {name: _COLOURS[index % len(_COLOURS)] for index, name in enumerate(contracts)}
    for row, tour in enumerate(tours):
        work, breaks = [], []
        for day, shift in tour.shifts:
            origin = day * (width + gap) - low
            cursor = shift.start_minutes
            for placed in shift.breaks:
                work.append((origin + cursor, placed.start_minutes - cursor))
                if placed.paid:
                    breaks.append((origin + placed.start_minutes, placed.minutes))
                cursor = placed.end_minutes
            work.append((origin + cursor, shift.end_minutes - cursor))
        axes.broken_barh([(x / 60, w / 60) for x, w in work], (row - 0.4, 0.8), color=colour[tour.contract])
        if breaks:
            axes.broken_barh([(x / 60, w / 60) for x, w in breaks], (row - 0.4, 0.8), color=_BREAK_COLOUR)
    for day in range(days + 1):
        axes.axvline(day * (width + gap) / 60 - gap / 120, color="0.5", linewidth=0.6)
    axes.set_xticks([(day * (width + gap) + width / 2) / 60 for day in range(days)],
                    [describe_day(day).replace("week ", "w") for day in range(days)])
    axes.set_xlim(-gap / 60, (days * (width + gap) - gap) / 60)
    axes.set_ylim(len(tours) - 0.5, -0.5)
    if len(tours) <= 60:
        axes.set_yticks(range(len(tours)), [tour.agent for tour in tours], fontsize="x-small")
    else:
        axes.set_ylabel("agents")
    window = f"{low // 60:02d}:00-{(low + width) // 60:02d}:00 each day" if gap else "around the clock"
    axes.set_xlabel(f"day ({window})")
    handles = [Patch(color=colour[name], label=name) for name in contracts] + [
        Patch(color=_BREAK_COLOUR, label="paid break")]
    axes.legend(handles=handles, loc="upper right", fontsize="small", ncols=len(handles))
    if title:
        axes.set_title(title)
    return figure
