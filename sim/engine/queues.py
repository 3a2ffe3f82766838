"""Waiting lines. Abandoned contacts are removed lazily: they stay in the
container, marked ``waiting = False``, and are skipped when they reach the head,
which keeps abandonment O(1)."""

from __future__ import annotations

import heapq
import math
from collections import deque

from .contact import Contact

# Priority levels are encoded as large offsets on the sort key, so one float
# orders by (priority, effective entry time) without tuple comparisons.
_PRIORITY_SPAN = 1e10


class FifoQueue:
    """First come, first served (used when no segment has priority or boost)."""

    __slots__ = ("name", "contact_type", "_items", "waiting")

    def __init__(self, name: str, contact_type: int) -> None:
        self.name = name
        self.contact_type = contact_type
        self._items: deque[Contact] = deque()
        self.waiting = 0

    def push(self, contact: Contact, priority: int, boost: float) -> None:
        self._items.append(contact)
        self.waiting += 1

    def push_front(self, contact: Contact) -> None:
        """Put a contact at the head of the line, behind others put there before it (due callbacks,
        pre-empted backlog items)."""
        items = self._items
        position = 0
        while position < len(items) and items[position].at_front:
            position += 1
        contact.at_front = True
        items.insert(position, contact)
        self.waiting += 1

    def head_key(self) -> float | None:
        """Sort key of the first live contact, or None when nobody waits."""
        items = self._items
        while items and not items[0].waiting:
            items.popleft()
        return items[0].queue_entry_time if items else None

    def pop(self) -> Contact:
        self.waiting -= 1
        return self._items.popleft()

    def pop_live(self) -> Contact:
        """The first contact still waiting (call only when ``waiting`` > 0)."""
        items = self._items
        contact = items.popleft()
        while not contact.waiting:
            contact = items.popleft()
        self.waiting -= 1
        return contact

    def head_entry_time(self) -> float | None:
        """When the contact at the head of the line started waiting."""
        return self.head_key()

    def live_contacts(self) -> list[Contact]:
        """The contacts still waiting, in line order."""
        return [contact for contact in self._items if contact.waiting]


class PriorityQueue:
    """Higher segment priority first, then earliest entry time minus the segment's and the type's boosts
    (``type_boost``: the contact type's ``queue_boost_seconds``, which orders the queues of several types
    an agent serves)."""

    __slots__ = ("name", "contact_type", "_heap", "_sequence", "waiting", "type_boost")

    def __init__(self, name: str, contact_type: int) -> None:
        self.name = name
        self.contact_type = contact_type
        self._heap: list[tuple[float, int, Contact]] = []
        self._sequence = 0
        self.waiting = 0
        self.type_boost = 0.0

    def push(self, contact: Contact, priority: int, boost: float) -> None:
        self._sequence += 1
        key = contact.queue_entry_time - boost - self.type_boost - priority * _PRIORITY_SPAN
        heapq.heappush(self._heap, (key, self._sequence, contact))
        self.waiting += 1

    def push_front(self, contact: Contact) -> None:
        """Put a contact ahead of everyone waiting, behind others put there before it."""
        self._sequence += 1
        contact.at_front = True
        heapq.heappush(self._heap, (-math.inf, self._sequence, contact))
        self.waiting += 1

    def head_key(self) -> float | None:
        heap = self._heap
        while heap and not heap[0][2].waiting:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def pop(self) -> Contact:
        self.waiting -= 1
        return heapq.heappop(self._heap)[2]

    def pop_live(self) -> Contact:
        """The first contact still waiting (call only when ``waiting`` > 0)."""
        heap = self._heap
        contact = heapq.heappop(heap)[2]
        while not contact.waiting:
            contact = heapq.heappop(heap)[2]
        self.waiting -= 1
        return contact

    def head_entry_time(self) -> float | None:
        """When the contact at the head of the line (next to be served) started waiting."""
        return self._heap[0][2].queue_entry_time if self.head_key() is not None else None

    def live_contacts(self) -> list[Contact]:
        """The contacts still waiting, in service order."""
        return [item[2] for item in sorted(self._heap) if item[2].waiting]
