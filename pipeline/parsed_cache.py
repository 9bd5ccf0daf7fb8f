"""A small per-process LRU of parsed messages, so a worker parses each message once."""

from __future__ import annotations

import threading
from collections import OrderedDict

from pipeline.message import ParsedMessage


class ParsedCache:
    """Parsed messages by sha256, at most ``capacity`` of them, safe across threads."""

    def __init__(self, capacity: int = 64) -> None:
        self._items: OrderedDict[str, ParsedMessage] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def get(self, sha256: str) -> ParsedMessage | None:
        """The message parsed from these bytes, if still cached."""
        with self._lock:
            item = self._items.get(sha256)
            if item is not None:
                self._items.move_to_end(sha256)
            return item

    def put(self, message: ParsedMessage) -> None:
        """Keep ``message``, forgetting the least recently used beyond the capacity."""
        with self._lock:
            self._items[message.sha256] = message
            self._items.move_to_end(message.sha256)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
