"""Hours of a log that the scenario cannot be expected to reproduce: talk time far from its model.

A back-test replays the log's arrivals but draws talk times from the
scenario. An hour in which the calls were very much shorter (or longer) than
the scenario says for that hour and type mix is an event of the log, not a
fault of the queueing model: on 14 February 1999, 21-23h, 335 calls
lasted 23 s at the median (a fifth of the usual), and replaying them with
usual talk times invents queues of a dozen callers for two hours. The test:
the hour's total talk time against the scenario's mean talk time of its calls
(by type and time of day), in standard errors (the type's variance in the
tested log); |z| above :data:`ANOMALY_Z` (beyond 1 in a million under the
model, and far beyond every other hour of the bank's months) flags the hour.
The back-test reports its errors with and without flagged hours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config import Scenario, factors_by_minute

ANOMALY_Z = 5.0
MIN_CALLS = 20  # hours with fewer answered calls are never flagged


def talk_time_anomalies(contacts: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """date, hour, calls, observed_mean, expected_mean, z of the flagged hours (see module docstring)."""
    columns = ["date", "hour", "calls", "observed_mean", "expected_mean", "z"]
    types = {contact_type.name: contact_type for contact_type in scenario.contact_types}
    answered = contacts.loc[(contacts["outcome"] == "answered") & contacts["handle_seconds"].notna()
                            & contacts["contact_type"].isin(list(types))]
    if answered.empty:
        return pd.DataFrame(columns=columns)
    minute = (answered["arrival_seconds"].to_numpy(dtype=float) // 60).astype(int) % (24 * 60)
    expected = np.zeros(len(answered))
    for name, contact_type in types.items():
        rows = (answered["contact_type"] == name).to_numpy()
        factors = np.array(factors_by_minute(contact_type.handle_time_by_time_of_day))
        expected[rows] = contact_type.handle_time.mean_seconds() * factors[minute[rows]]
    variance = answered["contact_type"].map(answered.groupby("contact_type")["handle_seconds"].var()).fillna(0.0)
    frame = pd.DataFrame({"date": pd.to_datetime(answered["date"]).to_numpy(),
                          "hour": np.clip(answered["arrival_seconds"].to_numpy(dtype=float) // 3600, 0, 23).astype(int),
                          "observed": answered["handle_seconds"].to_numpy(dtype=float), "expected": expected,
                          "variance": variance.to_numpy(dtype=float)})
    hours = frame.groupby(["date", "hour"], as_index=False).agg(
        calls=("observed", "size"), observed=("observed", "sum"), expected=("expected", "sum"),
        variance=("variance", "sum"))
    hours = hours.loc[(hours["calls"] >= MIN_CALLS) & (hours["variance"] > 0)]
    hours["z"] = (hours["observed"] - hours["expected"]) / np.sqrt(hours["variance"])
    flagged = hours.loc[hours["z"].abs() > ANOMALY_Z]
    return pd.DataFrame({"date": flagged["date"], "hour": flagged["hour"], "calls": flagged["calls"],
                         "observed_mean": flagged["observed"] / flagged["calls"],
                         "expected_mean": flagged["expected"] / flagged["calls"], "z": flagged["z"]},
                        columns=columns).reset_index(drop=True)
