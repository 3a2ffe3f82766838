"""The contact object that moves through the engine (one per attempt)."""

from __future__ import annotations

import math


class Contact:
    """Mutable state of one contact attempt; becomes a row of the contacts table at the end."""

    __slots__ = (
        "contact_id", "customer_id", "attempt", "origin", "contact_type", "segment", "arrival_time",
        "patience", "base_handle_time", "base_after_call_work", "route", "queue",
        "queue_entry_time", "waiting", "outcome", "handler", "agent_id", "answer_time",
        "handle_time", "after_call_work", "end_time",
    )

    def __init__(self, contact_id: int, customer_id: int, attempt: int, origin: str, contact_type: int,
                 segment: int, arrival_time: float, patience: float, handle_time: float,
                 after_call_work: float) -> None:
        self.contact_id = contact_id
        self.customer_id = customer_id
        self.attempt = attempt
        self.origin = origin
        self.contact_type = contact_type
        self.segment = segment
        self.arrival_time = arrival_time
        self.patience = patience
        self.base_handle_time = handle_time
        self.base_after_call_work = after_call_work
        self.route = ""
        self.queue = None
        self.queue_entry_time = math.nan
        self.waiting = False
        self.outcome = ""
        self.handler = ""
        self.agent_id = ""
        self.answer_time = math.nan
        self.handle_time = math.nan
        self.after_call_work = math.nan
        self.end_time = math.nan
