"""Headcount flow of an agent group over the plan's periods: hires, training, learning, attrition.

Every number is an expected value (fractional people), so flows add up
exactly and are linear in the hires, which is what lets the fewest-hires
plan be an integer program (:mod:`.hiring`).

A hiring class joins at the start of its period. Per period ``p`` of ``d``
days and each cohort (the starting staff, or one hiring class):

* attrition: the monthly rate is ``early_attrition_per_month`` while the
  cohort's tenure at the period start is under ``early_tenure_months``, else
  ``attrition_per_month``; leavers = people x (1 - (1 - rate)^(d / 30.44));
  they leave evenly, so the period's average headcount is people - leavers / 2;
* training: the first ``training_weeks`` after joining are paid but off the
  phones; ``productive`` = average headcount x the share of the period after
  training;
* learning curve: after training a new agent is ``slower`` (0.4 = 40% longer
  handle time), falling linearly to 0 over ``weeks``; with ``s`` the mean
  slowdown over the productive part of the period, the cohort's
  ``effective`` FTE = productive / (1 + s) (a 40% slower agent does 1/1.4 of
  an experienced agent's work).

The starting staff is experienced: regular attrition, productive, no slowdown.
Conservation holds every period: start + hires - leavers = end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .periods import Periods
from .spec import DAYS_PER_MONTH, GroupPlan, LearningCurve


@dataclass(frozen=True)
class CohortTable:
    """Per unit of a cohort: arrays (periods,) for the starting staff and (periods, periods) for hires,
    row = period, column = the period the class joined in."""

    start: np.ndarray
    leavers: np.ndarray
    average: np.ndarray
    productive: np.ndarray
    effective: np.ndarray
    slowdown_weight: np.ndarray  # productive x mean slowdown, to average the group's slowdown
    staff_start: np.ndarray
    staff_leavers: np.ndarray
    staff_average: np.ndarray


@dataclass(frozen=True)
class GroupFlow:
    """One group's headcount flow per period (expected people; FTE when people are full-time)."""

    name: str
    headcount_start: np.ndarray
    hires: np.ndarray
    leavers: np.ndarray
    headcount_end: np.ndarray
    average: np.ndarray
    in_training: np.ndarray
    productive: np.ndarray
    effective: np.ndarray
    slowdown: np.ndarray  # mean handle-time slowdown of the productive agents


def mean_slowdown(curve: LearningCurve, weeks_from: float, weeks_to: float) -> float:
    """Mean of ``slower x max(0, 1 - t / weeks)`` over t in [weeks_from, weeks_to] (weeks after training)."""
    if weeks_to <= weeks_from:
        return 0.0
    length = curve.weeks

    def integral(t: float) -> float:
        t = max(t, 0.0)
        return t - t * t / (2.0 * length) if t <= length else length / 2.0

    return curve.slower * (integral(weeks_to) - integral(weeks_from)) / (weeks_to - weeks_from)


def cohort_table(group: GroupPlan, periods: Periods) -> CohortTable:
    """The flow of one starting employee and of one hire joining at the start of each period."""
    count = len(periods)
    shape = (count, count)
    start, leavers, average = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    productive, effective, slowdown_weight = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for joined in range(count):
        people = 1.0
        hired_day = periods.offsets[joined]
        trained_day = hired_day + group.training_weeks * 7.0
        for period in range(joined, count):
            begin, length = periods.offsets[period], periods.days[period]
            early = begin - hired_day < group.early_tenure_months * DAYS_PER_MONTH
            rate = group.early_rate if early else group.attrition_per_month
            leaving = people * (1.0 - (1.0 - rate) ** (length / DAYS_PER_MONTH))
            start[period, joined] = people if period > joined else 0.0
            leavers[period, joined] = leaving
            average[period, joined] = people - leaving / 2.0
            on_phones_from = max(begin, trained_day)
            share = max(begin + length - on_phones_from, 0.0) / length
            slow = mean_slowdown(group.learning_curve, (on_phones_from - trained_day) / 7.0,
                                 (begin + length - trained_day) / 7.0)
            productive[period, joined] = average[period, joined] * share
            effective[period, joined] = productive[period, joined] / (1.0 + slow)
            slowdown_weight[period, joined] = productive[period, joined] * slow
            people -= leaving
    staff_start, staff_leavers, staff_average = np.zeros(count), np.zeros(count), np.zeros(count)
    people = 1.0
    for period in range(count):
        leaving = people * (1.0 - (1.0 - group.attrition_per_month) ** (periods.days[period] / DAYS_PER_MONTH))
        staff_start[period], staff_leavers[period] = people, leaving
        staff_average[period] = people - leaving / 2.0
        people -= leaving
    return CohortTable(start, leavers, average, productive, effective, slowdown_weight,
                       staff_start, staff_leavers, staff_average)


def group_flow(group: GroupPlan, table: CohortTable, initial: float, hires: np.ndarray) -> GroupFlow:
    """The group's flow with ``initial`` starting employees and ``hires[p]`` joining at the start of p."""
    hires = np.asarray(hires, dtype=float)
    start = initial * table.staff_start + table.start @ hires
    leavers = initial * table.staff_leavers + table.leavers @ hires
    average = initial * table.staff_average + table.average @ hires
    productive = initial * table.staff_average + table.productive @ hires
    effective = initial * table.staff_average + table.effective @ hires
    weight = table.slowdown_weight @ hires
    with np.errstate(invalid="ignore", divide="ignore"):
        slowdown = np.where(productive > 0, weight / productive, 0.0)
    return GroupFlow(group.name, start, hires, leavers, start + hires - leavers, average,
                     average - productive, productive, effective, slowdown)


def hires_per_period(group: GroupPlan, periods: int) -> np.ndarray:
    """The plan's hiring classes as hires per period (classes in the same period add up)."""
    hires = np.zeros(periods)
    for hiring in group.hires:
        hires[hiring.period - 1] += hiring.count
    return hires
