"""The test FHIR endpoint and MLLP listener (``tests/adapters``), with the two ways a run can break halfway.

* ``refuse_after(n)``: from item n + 1 on, the receiver answers and refuses (the HMIS's session expired,
  its interface was paused): each item fails at once, with the receiver's reason.
* ``hold_after(n)``: item n + 1 is taken in (a FHIR transaction committed, an HL7 message kept) and then
  no answer comes until ``release()``, so the test can stop the sender while it waits: the acknowledgement
  of that item is lost, as when the power goes or someone presses Ctrl-C.
"""

from __future__ import annotations

import threading
from typing import Any

from tests.adapters.fhir_endpoint import FhirEndpoint, TransactionFailed
from tests.adapters.mllp_listener import MllpListener

WAIT = 60.0  # seconds a held answer waits at most, so a test that fails never leaves a thread behind


class Holding:
    """What both receivers share: a count of items, a point to refuse from, and a point to hold at."""

    def __init__(self) -> None:
        self.items = 0
        self.refuse_from: int | None = None
        self.hold_at: int | None = None
        self.holding = threading.Event()    # set once the held item has been taken in
        self._released = threading.Event()
        self._lock = threading.Lock()

    def refuse_after(self, items: int) -> None:
        self.refuse_from = self.items + items + 1

    def hold_after(self, items: int) -> None:
        self.hold_at = self.items + items + 1

    def release(self) -> None:
        self.refuse_from = self.hold_at = None
        self._released.set()

    def next_item(self) -> int:
        with self._lock:
            self.items += 1
            return self.items

    def refuses(self, item: int) -> bool:
        return self.refuse_from is not None and item >= self.refuse_from

    def holds(self, item: int) -> bool:
        return self.hold_at == item

    def wait(self) -> None:
        """Say the held item is in, then keep its answer back until released."""
        self.holding.set()
        self._released.wait(WAIT)


class BreakingFhirEndpoint(FhirEndpoint):
    """The honest FHIR endpoint; the answer it holds back is dropped (the connection closes) on release."""

    def __init__(self) -> None:
        super().__init__()
        self.breaks = Holding()

    def hold_after(self, transactions: int) -> None:
        self.breaks.hold_after(transactions)
        self.fail_after(transactions, after_commit=True)  # the endpoint's own way to lose an answer

    def release(self) -> None:
        self.recover()
        self.breaks.release()

    def transaction(self, bundle: dict[str, Any]) -> dict[str, Any]:
        item = self.breaks.next_item()
        if self.breaks.refuses(item):
            raise TransactionFailed(401, "the HMIS session has expired: log the interface in again")
        answer = super().transaction(bundle)
        if self.breaks.holds(item):
            self.breaks.wait()
        return answer


class BreakingMllpListener(MllpListener):
    """The MLLP listener; a message it holds is kept, and its ACK never sent."""

    def __init__(self) -> None:
        super().__init__()
        self.breaks = Holding()
        self.accepted: list[str] = []  # control IDs answered AA, in order

    def answer(self, message: str) -> bytes | None:
        item = self.breaks.next_item()
        control_id = message.split("\r", 1)[0].split("|")[9]
        if self.breaks.refuses(item):
            self.reject.add(control_id)
        elif self.breaks.holds(item):
            self.received.append(message)  # kept, as the HMIS keeps it; the ACK is what gets lost
            self.breaks.wait()
            return None
        else:
            self.reject.discard(control_id)
        ack = super().answer(message)
        if ack is not None and b"MSA|AA|" in ack:
            self.accepted.append(control_id)
        return ack
