"""The contact object that moves through the engine (one per attempt)."""

from __future__ import annotations

import math


class Contact:
    """Mutable state of one contact attempt; becomes a row of the contacts table at the end.

    ``attempt`` counts the customer's earlier attempts (retrials and repeats);
    ``retrials`` counts consecutive retrials after abandoning and ``repeats``
    the repeat contacts after an unresolved one, each bounded by its own limit.
    """

    __slots__ = (
        "contact_id", "customer_id", "parent_id", "attempt", "retrials", "repeats", "origin",
        "contact_type", "segment", "arrival_time", "patience", "base_handle_time", "base_after_call_work",
        "ai_session_time", "ai_outcome", "route", "queue", "queue_entry_time", "waiting", "outcome",
        "handler", "handler_kind", "agent_id", "answer_time", "handle_time", "after_call_work", "end_time",
        "escalated", "resolved", "ai_entry_time", "ai_start_time",
    )

    def __init__(self, contact_id: int, customer_id: int, origin: str, contact_type: int, segment: int,
                 arrival_time: float, attributes: tuple[float, float, float, float, float]) -> None:
        self.contact_id = contact_id
        self.customer_id = customer_id
        self.parent_id = -1
        self.attempt = 0
        self.retrials = 0
        self.repeats = 0
        self.origin = origin
        self.contact_type = contact_type
        self.segment = segment
        self.arrival_time = arrival_time
        (self.base_handle_time, self.base_after_call_work, self.patience,
         self.ai_session_time, self.ai_outcome) = attributes
        self.route = ""
        self.queue = None
        self.queue_entry_time = math.nan
        self.waiting = False
        self.outcome = ""
        self.handler = ""
        self.handler_kind = ""
        self.agent_id = ""
        self.answer_time = math.nan
        self.handle_time = math.nan
        self.after_call_work = math.nan
        self.end_time = math.nan
        self.escalated = False
        self.resolved = False
        self.ai_entry_time = math.nan
        self.ai_start_time = math.nan

    def follow_up(self, contact_id: int, origin: str, arrival_time: float,
                  attributes: tuple[float, float, float, float, float]) -> "Contact":
        """The same customer's next attempt (a retrial or a repeat contact)."""
        contact = Contact(contact_id, self.customer_id, origin, self.contact_type, self.segment,
                          arrival_time, attributes)
        contact.parent_id = self.contact_id
        contact.attempt = self.attempt + 1
        contact.retrials = self.retrials + 1 if origin == "retrial" else 0
        contact.repeats = self.repeats + (origin == "repeat")
        return contact
