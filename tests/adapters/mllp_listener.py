"""An MLLP listener for the tests: receives framed HL7 messages, parses each with hl7apy, answers an ACK.

It answers AA for a message hl7apy parses, AE (with the reason) for one it cannot, or AR for a message
whose control ID is in ``reject``. For resume tests, ``drop_after(n)`` makes it close the connection
without an ACK from message n + 1 on, after keeping the message (as if the ACK was lost on the way).
"""

from __future__ import annotations

import socketserver
import threading
from typing import Self

from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.exceptions import HL7apyException
from hl7apy.parser import parse_message

START, END = b"\x0b", b"\x1c\x0d"


class MllpListener:
    def __init__(self) -> None:
        self.received: list[str] = []       # every message that arrived, in order (duplicates included)
        self.reject: set[str] = set()       # control IDs to answer with AR
        self._drop_after: int | None = None
        self._lock = threading.Lock()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def drop_after(self, messages: int | None) -> None:
        self._drop_after = None if messages is None else len(self.received) + messages

    def answer(self, message: str) -> bytes | None:
        """The ACK for one message, or None to drop the connection."""
        with self._lock:
            self.received.append(message)
            if self._drop_after is not None and len(self.received) > self._drop_after:
                return None
        fields = message.split("\r", 1)[0].split("|")
        control_id = fields[9] if len(fields) > 9 else ""
        try:
            parse_message(message, validation_level=VALIDATION_LEVEL.STRICT, find_groups=True)
            code, text = ("AR", "rejected on purpose") if control_id in self.reject else ("AA", "")
        except HL7apyException as exc:
            code, text = "AE", str(exc)[:80].replace("|", "/")
        ack = "\r".join([f"MSH|^~\\&|HMIS|AIIMS|DOWNTIME|AIIMS|20261122120000||ACK|A{control_id[:19]}|P|2.5",
                         f"MSA|{code}|{control_id}|{text}"]) + "\r"
        return START + ack.encode("utf-8") + END


def _handler(listener: MllpListener) -> type[socketserver.BaseRequestHandler]:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            buffer = b""
            while True:
                chunk = self.request.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                while END in buffer:
                    frame, buffer = buffer.split(END, 1)
                    ack = listener.answer(frame[frame.find(START) + 1:].decode("utf-8"))
                    if ack is None:
                        return  # closes the connection: the sender gets no ACK
                    self.request.sendall(ack)

    return Handler
