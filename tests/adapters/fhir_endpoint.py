"""A small FHIR server for the tests: transactions and conditional create, done honestly, in memory.

No real FHIR server can be installed here, so this one implements exactly the semantics the adapter
relies on, the way the FHIR R4 specification (http.html#transaction) describes them:

* a transaction Bundle POSTed to the base is all-or-nothing: if any entry fails, nothing is stored;
* ``request.ifNoneExist`` is a search: no match creates the resource (201), one match returns the
  existing resource (200) and creates nothing, several matches fail the transaction (412);
* references to an entry's ``fullUrl`` are rewritten to the resource's id (new or found), and a
  conditional reference (``Patient?identifier=system|value``) must find exactly one resource;
* each stored resource gets an id and meta.versionId.

For resume tests it can fail on purpose: after ``n`` requests it closes connections without an answer,
either before doing the work or after committing it (so the client never hears that it succeeded).
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class TransactionFailed(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class FhirEndpoint:
    def __init__(self) -> None:
        self.store: dict[str, dict[str, dict[str, Any]]] = {}
        self.created: Counter[str] = Counter()
        self.requests = 0
        self.transactions = 0
        self._fail_after: int | None = None
        self._fail_after_commit = False
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- control -----------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/fhir"

    def fail_after(self, requests: int, *, after_commit: bool = False) -> None:
        """From request number ``requests`` + 1 on, drop the connection without an answer."""
        self._fail_after, self._fail_after_commit = self.requests + requests, after_commit

    def recover(self) -> None:
        self._fail_after = None

    def seed(self, resource: dict[str, Any]) -> str:
        """Put a resource in the store as if the HMIS had it already (e.g. a Patient with a UHID)."""
        with self._lock:
            rid = str(next(self._ids))
            self.store.setdefault(resource["resourceType"], {})[rid] = {**resource, "id": rid}
            return rid

    def search(self, rtype: str, query: str) -> list[dict[str, Any]]:
        with self._lock:
            return self._search(self.store, rtype, query)

    def count(self, rtype: str) -> int:
        return len(self.store.get(rtype, {}))

    # -- the work ----------------------------------------------------------------------------

    def transaction(self, bundle: dict[str, Any]) -> dict[str, Any]:
        if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "transaction":
            raise TransactionFailed(400, "only transaction Bundles are accepted at the base URL")
        with self._lock:
            staged = copy.deepcopy(self.store)
            urls: dict[str, str] = {}
            new: list[tuple[str, str]] = []
            responses = [self._entry(staged, entry, urls, new) for entry in bundle.get("entry", [])]
            for rtype, rid in new:
                staged[rtype][rid] = self._resolved(staged, staged[rtype][rid], urls)
            self.store = staged  # all of it, or (on any exception above) none of it
            self.created.update(rtype for rtype, _ in new)
            self.transactions += 1
        return {"resourceType": "Bundle", "type": "transaction-response", "entry": responses}

    def _entry(self, staged: dict[str, dict[str, dict[str, Any]]], entry: dict[str, Any], urls: dict[str, str],
               new: list[tuple[str, str]]) -> dict[str, Any]:
        request, resource = entry.get("request", {}), copy.deepcopy(entry.get("resource", {}))
        rtype = resource.get("resourceType")
        if request.get("method") != "POST" or request.get("url") != rtype:
            raise TransactionFailed(400, f"only POST of a {rtype} to {rtype} is implemented")
        if request.get("ifNoneExist"):
            found = self._search(staged, rtype, request["ifNoneExist"])
            if len(found) > 1:
                raise TransactionFailed(412, f"ifNoneExist {request['ifNoneExist']} matches {len(found)} resources")
            if found:
                urls[entry.get("fullUrl", "")] = f"{rtype}/{found[0]['id']}"
                return {"response": {"status": "200 OK", "location": f"{rtype}/{found[0]['id']}/_history/1"}}
        rid = str(next(self._ids))
        staged.setdefault(rtype, {})[rid] = {**resource, "id": rid, "meta": {**resource.get("meta", {}),
                                                                              "versionId": "1"}}
        new.append((rtype, rid))
        urls[entry.get("fullUrl", "")] = f"{rtype}/{rid}"
        return {"response": {"status": "201 Created", "location": f"{rtype}/{rid}/_history/1"}}

    def _resolved(self, staged: dict[str, dict[str, dict[str, Any]]], node: Any, urls: dict[str, str]) -> Any:
        if isinstance(node, list):
            return [self._resolved(staged, v, urls) for v in node]
        if not isinstance(node, dict):
            return node
        out = {k: self._resolved(staged, v, urls) for k, v in node.items()}
        ref = node.get("reference")
        if isinstance(ref, str) and ref.startswith("urn:uuid:"):
            if ref not in urls:
                raise TransactionFailed(400, f"reference {ref} is not the fullUrl of any entry")
            out["reference"] = urls[ref]
        elif isinstance(ref, str) and "?" in ref:
            rtype, query = ref.split("?", 1)
            found = self._search(staged, rtype, query)
            if len(found) != 1:
                raise TransactionFailed(412, f"conditional reference {ref} matches {len(found)} resources")
            out["reference"] = f"{rtype}/{found[0]['id']}"
        return out

    @staticmethod
    def _search(store: dict[str, dict[str, dict[str, Any]]], rtype: str, query: str) -> list[dict[str, Any]]:
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        if set(params) != {"identifier"}:
            raise TransactionFailed(400, f"only identifier searches are implemented, not {query}")
        token = params["identifier"][0]
        system, value = token.split("|", 1) if "|" in token else (None, token)
        return [r for r in store.get(rtype, {}).values() if any(
            i.get("value") == value and (system is None or i.get("system") == system) for i in _identifiers(r))]


def _identifiers(resource: dict[str, Any]) -> list[dict[str, Any]]:
    ident = resource.get("identifier", [])
    return ident if isinstance(ident, list) else [ident]


def _handler(endpoint: FhirEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with endpoint._lock:
                endpoint.requests += 1
                failing = endpoint._fail_after is not None and endpoint.requests > endpoint._fail_after
            if failing and not endpoint._fail_after_commit:
                return self._drop()
            try:
                answer, status = endpoint.transaction(json.loads(body)), 200
            except TransactionFailed as exc:
                answer, status = _outcome(str(exc)), exc.status
            except (ValueError, KeyError, TypeError) as exc:
                answer, status = _outcome(f"unreadable request: {exc}"), 400
            if failing:
                return self._drop()
            data = json.dumps(answer).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _drop(self) -> None:
            self.close_connection = True  # the client sees the connection closed with no answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def _outcome(message: str) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "processing",
                                                           "diagnostics": message}]}
