"""The bundle file: a ward PC's journal entries, signed by the PC and sealed to the records office.

Layout of a ``.dtb`` file (all integers big-endian)::

    "DTBUNDLE"  version (1 byte)  label length (1 byte)  label: the device code, in clear
    sender's one-time X25519 public key (32 bytes)
    Box(one-time key, office key): nonce (24) + Poly1305 tag (16) + ciphertext of the inner part
      inner part:  manifest length (4 bytes)  manifest (canonical JSON)
                   Ed25519 signature of the device over the manifest (64 bytes)
                   entries.ndjson, zlib-compressed: one journal row per line, exactly as stored (rows.py)

Why this shape:
- Sealing with a one-time key (what a SealedBox does) keeps the bundle unreadable to all but the
  records office; doing it with ``Box`` instead lets the exporting PC, which still holds the one-time
  key, decrypt its own file once more to prove the copy on the stick is whole before it renames it.
- The Poly1305 tag covers every byte after the header and the header is checked byte for byte (the
  label must equal the signed manifest's device), so one changed byte anywhere, or a truncated file, is
  refused. The clear label only lets a refusal say which PC to go back to; it is never trusted.
- The signature proves which PC wrote the bundle (the seal alone does not: anyone may seal to the office).
  It covers the manifest, and the manifest holds the SHA-256 of the entries, compressed and not.
- Each row carries its own hash and the hash of the row before it (``journal.py``), and the manifest names
  the chain's start and head, so the office can check that bundles from one PC join up with no gap.
  Checking the rows themselves is ``rows.py``'s job; this module opens the envelope around them.
- Nothing in a bundle is ever written to disk under a name taken from it, so there is no path to
  traverse; sizes are checked before each step that could grow, decompression included.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import nacl.exceptions
from nacl.public import Box, PrivateKey, PublicKey
from nacl.signing import SigningKey, VerifyKey

from downtime import __version__
from downtime.errors import DowntimeError
from downtime.journal import canonical_json
from sync.keys import fingerprint

MAGIC = b"DTBUNDLE"
VERSION = 1
FORMAT = "downtime-bundle"
ENTRIES_FILE = "entries.ndjson"
SUFFIX = ".dtb"
KEY_BYTES = 32
TAG_BYTES = 16
SIGNATURE_BYTES = 64
# The device signs this prefix and the manifest, so its signature cannot be replayed as anything else.
SIGNING_CONTEXT = b"downtime-bundle-manifest/1\n"

# Limits for hostile files. A ward PC writes some 50k entries per outage, about 30 MB of NDJSON that
# compresses to under 8 MB; these leave a wide margin and still bound memory.
MAX_BUNDLE_BYTES = 512 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_ENTRIES_BYTES = 2 * 1024 * 1024 * 1024
MAX_ENTRIES = 2_000_000

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class BundleRejected(DowntimeError):
    """A bundle failed one check; nothing from it may be imported."""

    def __init__(self, check: str, problem: str, device: str | None = None):
        self.check = check
        self.device = device
        self.problem = problem
        super().__init__(f"failed the {check} check (device {device or 'unknown'}): {problem}")


@dataclass(frozen=True)
class Span:
    """Which part of a device's chain a run of rows is: what the manifest promises about the entries."""

    first_seq: int
    last_seq: int
    prev_hash: str
    head_hash: str
    counts: dict[str, int]

    @property
    def entries(self) -> int:
        return self.last_seq - self.first_seq + 1


@dataclass(frozen=True)
class Manifest:
    site: str
    site_name: str
    device: str
    first_seq: int
    last_seq: int
    prev_hash: str
    head_hash: str
    counts: dict[str, int]
    entries_sha256: str
    entries_bytes: int
    body_sha256: str
    body_bytes: int
    created_at: str
    full: bool
    office_key: str
    toolkit: str = __version__
    bundle_id: str = ""  # SHA-256 of the signed manifest, once read: the same bundle always has the same id

    @property
    def entries(self) -> int:
        return self.last_seq - self.first_seq + 1

    @property
    def span(self) -> Span:
        return Span(self.first_seq, self.last_seq, self.prev_hash, self.head_hash, self.counts)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "version": VERSION, "toolkit": self.toolkit,
            "site": self.site, "site_name": self.site_name, "device": self.device,
            "seq": {"first": self.first_seq, "last": self.last_seq},
            "chain": {"prev_hash": self.prev_hash, "head_hash": self.head_hash},
            "entries": self.entries, "counts": self.counts,
            "files": {ENTRIES_FILE: {"sha256": self.entries_sha256, "bytes": self.entries_bytes,
                                     "compression": "zlib", "compressed_sha256": self.body_sha256,
                                     "compressed_bytes": self.body_bytes}},
            "created_at": self.created_at, "full": self.full, "office_key": self.office_key,
        }


@dataclass(frozen=True)
class SealedBundle:
    data: bytes
    manifest: Manifest
    sender_key: PrivateKey  # the one-time key: lets the exporter re-open its own file, then is dropped


@dataclass(frozen=True)
class OpenedBundle:
    """A bundle whose seal, signature and file hashes hold; its rows are checked next (rows.py)."""

    manifest: Manifest
    entries: bytes  # entries.ndjson, decompressed


# -- writing -----------------------------------------------------------------------------------

def seal_bundle(entries: bytes, span: Span, *, site: str, site_name: str, device: str, signing_key: SigningKey,
                office_public: bytes, full: bool, created_at: str) -> SealedBundle:
    """Sign and seal NDJSON entries (from ``rows.journal_ndjson``) that ``span`` describes."""
    # Level 1: the entries shrink about sixfold already, and export time matters on a slow ward PC.
    body = zlib.compress(entries, 1)
    manifest = Manifest(
        site=site, site_name=site_name, device=device, first_seq=span.first_seq, last_seq=span.last_seq,
        prev_hash=span.prev_hash, head_hash=span.head_hash, counts=dict(sorted(span.counts.items())),
        entries_sha256=_sha256(entries), entries_bytes=len(entries), body_sha256=_sha256(body),
        body_bytes=len(body), created_at=created_at, full=full, office_key=fingerprint(office_public))
    manifest_bytes = canonical_json(manifest.to_json()).encode("utf-8")
    signature = signing_key.sign(SIGNING_CONTEXT + manifest_bytes).signature
    inner = struct.pack(">I", len(manifest_bytes)) + manifest_bytes + signature + body
    sender = PrivateKey.generate()
    sealed = Box(sender, PublicKey(office_public)).encrypt(inner)
    label = device.encode("ascii")
    header = MAGIC + bytes([VERSION, len(label)]) + label + bytes(sender.public_key)
    return SealedBundle(header + bytes(sealed), manifest, sender)


# -- reading -----------------------------------------------------------------------------------

KeyLookup = Callable[[str], VerifyKey | None]


def open_bundle(data: bytes, office_key: PrivateKey, trusted_key: KeyLookup) -> OpenedBundle:
    """Decrypt and check a bundle as the records office; raise BundleRejected naming the failed check."""
    header = _read_header(data)
    try:
        inner = Box(office_key, header.sender).decrypt(data[header.size:])
    except nacl.exceptions.CryptoError:
        raise BundleRejected("seal", "the file was changed, is incomplete (a pulled USB stick?), or was "
                             "sealed for another records office; bring a fresh copy from the PC",
                             header.unverified_device) from None
    return _opened(inner, header, trusted_key)


def reopen_own_bundle(data: bytes, sealed: SealedBundle, office_public: bytes, signing_key: SigningKey) -> Manifest:
    """The exporter's read-back: the file holds exactly the sealed bytes, and they open, carry a good
    signature and decompress to the entries the manifest hashes.

    Each entry's own hash is not recomputed here: the rows were just read from the journal, the office
    checks every one, and doing it twice would double the export time without telling more about the stick.
    """
    problem = BundleRejected("read-back", "the file on the stick differs from what was written")
    if data != sealed.data:
        raise problem
    header = _read_header(data)
    try:
        inner = Box(sealed.sender_key, PublicKey(office_public)).decrypt(data[header.size:])
    except nacl.exceptions.CryptoError:
        raise problem from None
    own = signing_key.verify_key
    opened = _opened(inner, header, lambda device: own)
    if opened.entries.count(b"\n") != opened.manifest.entries:
        raise problem
    return opened.manifest


@dataclass(frozen=True)
class _Header:
    label: str
    sender: PublicKey
    size: int

    @property
    def unverified_device(self) -> str:
        return f"{self.label}, by its unverified label"


def _read_header(data: bytes) -> _Header:
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleRejected("size", f"the file is {len(data) // 2**20} MB, more than a bundle can be "
                             f"({MAX_BUNDLE_BYTES // 2**20} MB)")
    if not data.startswith(MAGIC):
        raise BundleRejected("format", "this is not a downtime bundle (it does not start with the bundle "
                             "marker); check that you chose a .dtb file")
    if len(data) < len(MAGIC) + 2:
        raise BundleRejected("format", "the file is cut short (a pulled USB stick?); bring a fresh copy")
    if data[len(MAGIC)] != VERSION:
        raise BundleRejected("format", f"bundle format version {data[len(MAGIC)]} is not one this toolkit "
                             f"reads (it reads version {VERSION}); update the toolkit on this PC")
    start = len(MAGIC) + 2
    end = start + data[len(MAGIC) + 1]
    label = _shown(data[start:end].decode("ascii", "replace"))
    if len(data) < end + KEY_BYTES + Box.NONCE_SIZE + TAG_BYTES:
        raise BundleRejected("format", "the file is cut short (a pulled USB stick?); bring a fresh copy",
                             f"{label}, by its unverified label")
    return _Header(label, PublicKey(data[end:end + KEY_BYTES]), end + KEY_BYTES)


def _opened(inner: bytes, header: _Header, trusted_key: KeyLookup) -> OpenedBundle:
    """The signed manifest and the entries it hashes, each check in the order that bounds the work."""
    manifest_bytes, signature, body = _split_inner(inner)
    raw = _parse_manifest_json(manifest_bytes)
    device = raw.get("device") if isinstance(raw.get("device"), str) else None
    _check_signature(manifest_bytes, signature, device, trusted_key)
    manifest = _manifest_from(raw, device, _sha256(manifest_bytes))
    if manifest.device != header.label:
        raise BundleRejected("format", "the device label outside the seal differs from the signed manifest",
                             manifest.device)
    return OpenedBundle(manifest, _decompress(body, manifest))


def _split_inner(inner: bytes) -> tuple[bytes, bytes, bytes]:
    if len(inner) < 4:
        raise BundleRejected("format", "the bundle is empty inside")
    (length,) = struct.unpack(">I", inner[:4])
    if length > MAX_MANIFEST_BYTES or 4 + length + SIGNATURE_BYTES > len(inner):
        raise BundleRejected("manifest", "the manifest's length is impossible; the PC that wrote it has a fault")
    manifest_end = 4 + length
    return (inner[4:manifest_end], inner[manifest_end:manifest_end + SIGNATURE_BYTES],
            inner[manifest_end + SIGNATURE_BYTES:])


def _parse_manifest_json(manifest_bytes: bytes) -> dict[str, Any]:
    try:
        raw = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BundleRejected("manifest", "the manifest is not readable JSON") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BundleRejected("manifest", "the manifest is not a downtime bundle manifest")
    return raw


def _check_signature(manifest_bytes: bytes, signature: bytes, device: str | None, trusted_key: KeyLookup) -> None:
    key = trusted_key(device) if device else None
    if key is None:
        raise BundleRejected("trust", f"device {_shown(device)} is not trusted by this records office; get "
                             "its device.pub from IT and run 'downtime reconcile trust device.pub'",
                             _shown(device) if device else None)
    try:
        key.verify(SIGNING_CONTEXT + manifest_bytes, signature)
    except nacl.exceptions.BadSignatureError:
        raise BundleRejected("signature", f"the bundle was not signed by the key trusted for {device}; it "
                             "came from another PC or was forged. If the PC was re-staged, trust its new "
                             "key ('downtime reconcile trust device.pub --replace')", device) from None


def _manifest_from(raw: dict[str, Any], device: str | None, bundle_id: str) -> Manifest:
    """Typed fields of a manifest whose signature already holds (so a fault here is the writer's bug)."""
    try:
        files = raw["files"]
        if set(files) != {ENTRIES_FILE}:
            raise ValueError("files")
        f = files[ENTRIES_FILE]
        manifest = Manifest(
            site=_str(raw["site"]), site_name=_str(raw["site_name"]), device=_str(raw["device"]),
            first_seq=_int(raw["seq"]["first"]), last_seq=_int(raw["seq"]["last"]),
            prev_hash=_hex(raw["chain"]["prev_hash"]), head_hash=_hex(raw["chain"]["head_hash"]),
            counts={_str(k): _int(v) for k, v in raw["counts"].items()},
            entries_sha256=_hex(f["sha256"]), entries_bytes=_int(f["bytes"]),
            body_sha256=_hex(f["compressed_sha256"]), body_bytes=_int(f["compressed_bytes"]),
            created_at=_str(raw["created_at"]), full=bool(raw["full"]), office_key=_str(raw["office_key"]),
            toolkit=_str(raw["toolkit"]), bundle_id=bundle_id)
        if raw.get("version") != VERSION or f.get("compression") != "zlib" or _int(raw["entries"]) < 1:
            raise ValueError("version")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise BundleRejected("manifest", "the manifest is incomplete or names files a bundle does not hold; "
                             "the PC that wrote it has a fault", device) from None
    if not 1 <= manifest.first_seq <= manifest.last_seq or manifest.entries > MAX_ENTRIES \
            or manifest.entries != raw["entries"] or manifest.entries_bytes > MAX_ENTRIES_BYTES:
        raise BundleRejected("manifest", "the manifest's sequence range or sizes are impossible", device)
    return manifest


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError("text expected")
    return v


def _int(v: Any) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise TypeError("whole number expected")
    return v


def _hex(v: Any) -> str:
    if not isinstance(v, str) or not _HEX64.match(v):
        raise ValueError("hash expected")
    return v


def _decompress(body: bytes, manifest: Manifest) -> bytes:
    device = manifest.device
    if len(body) != manifest.body_bytes or _sha256(body) != manifest.body_sha256:
        raise BundleRejected("file hash", f"{ENTRIES_FILE} does not match the hash in the manifest", device)
    inflater = zlib.decompressobj()
    try:
        # max_length bounds the output, so a small file cannot expand into gigabytes.
        entries = inflater.decompress(body, manifest.entries_bytes + 1)
    except zlib.error:
        raise BundleRejected("file hash", f"{ENTRIES_FILE} cannot be decompressed", device) from None
    if len(entries) != manifest.entries_bytes or not inflater.eof or inflater.unconsumed_tail \
            or _sha256(entries) != manifest.entries_sha256:
        raise BundleRejected("file hash", f"{ENTRIES_FILE} does not match the size and hash in the manifest",
                             device)
    return entries


def _shown(text: str | None, limit: int = 40) -> str:
    """An unverified name from a bundle, safe to print and log: control characters (a terminal escape
    sequence) become "?", and it is cut to ``limit`` characters."""
    text = "".join(ch if ch.isprintable() else "?" for ch in (text or "")[:limit + 1])
    return text if len(text) <= limit else text[:limit] + "..."


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
