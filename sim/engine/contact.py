"""The contact object that moves through the engine (one per attempt)."""

from __future__ import annotations

import math

from ..config.channels import AI_HANDLER
from ..records import CONTAINED


class _EveryContact:
    """The fields every contact sets, as slots: those it is made with and those of its end (see
    :class:`Contact`)."""

    __slots__ = ("contact_id", "customer_id", "origin", "contact_type", "segment", "arrival_time",
                 "base_handle_time", "base_after_call_work", "patience", "ai_session_time", "ai_outcome",
                 "outcome", "end_time", "csat")


class Contact(_EveryContact):
    """Mutable state of one contact attempt; becomes a row of the contacts table when records are kept.

    ``attempt`` counts the customer's earlier attempts (retrials and repeats);
    ``retrials`` counts consecutive retrials after abandoning and ``repeats``
    the repeat contacts after an unresolved one, each bounded by its own limit.

    Fields most contacts never change are class-level defaults rather than
    slots: a contact is created for every arrival, and setting a dozen fewer
    attributes there is a measurable share of the engine's time.

    Those it sets as it goes (:data:`LATER_FIELDS`) share one table of names
    among all contacts, their values in a compact array, which is what makes
    them fast to read and write. CPython (3.11) lets a name into that table
    only while the class has few instances, and at most 29 names: a contact
    setting a name first set later gets a dictionary of its own, slower
    everywhere (in an omnichannel center, whose first contacts are emails at
    night, every contact did: about a tenth of its cost). So the names are
    set once on a first contact, at import, and kept under 30: fields every
    contact sets are slots (:class:`_EveryContact`), and fields that follow
    from others are not kept (e.g. the AI as handler of a contained contact,
    ``handler``). ``tests/test_engine.py`` checks that contacts set no
    other name.
    """

    parent_id = -1
    attempt = 0
    retrials = 0
    repeats = 0
    route = "default"  # without routing rules nothing else is ever set
    queue = None
    queue_entry_time = math.nan
    waiting = False
    agent = None  # the agent who answered
    answer_time = math.nan
    handle_time = math.nan
    after_call_work = math.nan
    escalated = False
    frustrated = False  # escalated after the AI tried beyond what it can resolve (see automatable_share)
    beyond_ai = False  # the AI over-reached on this customer's issue: it cannot genuinely resolve it later either
    resolved = False
    ai_entry_time = math.nan
    ai_start_time = math.nan
    # Sessions (chat and backlog items, :mod:`.sessions`): base work left at the agent's last update,
    # the speed it progresses at (0: not yet scheduled), a token that makes older end events stale,
    # and the agent's time spent on it (its share while holding several sessions).
    work_left = 0.0
    rate = 0.0
    token = 0
    agent_seconds = 0.0
    silent_since = math.nan  # left without saying so; the agent finds out on picking the contact up
    due_time = math.nan  # deferred target of a backlog item
    at_front = False  # put at the head of its line (a due callback, a pre-empted backlog item)
    # Callbacks (:mod:`.callbacks`): 0 none, then KEEPING_PLACE, SCHEDULED or DUE.
    callback_state = 0
    callback_offer_time = math.nan
    callback_promise = math.nan

    def __init__(self, contact_id: int, customer_id: int, origin: str, contact_type: int, segment: int,
                 arrival_time: float, base_handle_time: float, base_after_call_work: float, patience: float,
                 ai_session_time: float, ai_outcome: float) -> None:
        self.contact_id = contact_id
        self.customer_id = customer_id
        self.origin = origin
        self.contact_type = contact_type
        self.segment = segment
        self.arrival_time = arrival_time
        self.base_handle_time = base_handle_time
        self.base_after_call_work = base_after_call_work
        self.patience = patience
        self.ai_session_time = ai_session_time
        self.ai_outcome = ai_outcome
        self.outcome = ""
        self.end_time = math.nan
        self.csat = math.nan

    @property
    def handler(self) -> str:
        """"ai" when the AI contained it, else empty (the agent who answered is in ``agent``)."""
        return AI_HANDLER if self.outcome == CONTAINED else ""

    handler_kind = handler

    def follow_up(self, contact_id: int, origin: str, arrival_time: float,
                  attributes: tuple[float, float, float, float, float], contact_type: int | None = None) -> "Contact":
        """The same customer's next attempt (a retrial, a repeat contact, or through another channel:
        ``contact_type``)."""
        contact = Contact(contact_id, self.customer_id, origin,
                          self.contact_type if contact_type is None else contact_type, self.segment,
                          arrival_time, *attributes)
        contact.parent_id = self.contact_id
        contact.attempt = self.attempt + 1
        contact.retrials = self.retrials + 1 if origin == "retrial" else 0
        contact.repeats = self.repeats + (origin == "repeat")
        contact.beyond_ai = self.beyond_ai
        return contact


# Every field a contact may set on itself after it is made (see the class docstring).
LATER_FIELDS = tuple(name for name, value in vars(Contact).items()
                     if not name.startswith("_") and not callable(value) and not isinstance(value, property))


def _register_later_fields() -> None:
    first = Contact.__new__(Contact)
    for name in LATER_FIELDS:
        setattr(first, name, getattr(Contact, name))


_register_later_fields()
