"""Fuzz the bundle reader and the workspace import with hostile files.

Random bytes, cut and spliced bundles, archives dressed up as bundles (members named ``../`` or with
absolute paths, symlinks, duplicates, huge declared sizes, a zip bomb), device files and symlinks on the
stick, and real decompression bombs signed by a trusted PC: each is one clean ``BundleRejected`` that
names the check, within bounded time and memory, with the workspace and the disk around it unchanged.
"""

from __future__ import annotations

import io
import os
import struct
import tarfile
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from nacl.public import Box, PrivateKey, PublicKey

from downtime.journal import GENESIS, canonical_json
from downtime.session import login
from sync.bundle import MAGIC, MAX_ENTRIES_BYTES, SIGNING_CONTEXT, VERSION, BundleRejected, Span, seal_bundle
from sync.workspace import Workspace
from tests.conftest import ADMIN_ID, ADMIN_PIN
from tests.robustness.fuzz_settings import fuzz_settings, tallied
from tests.sync.conftest import add_patients, export, office_home, usb, ward, workspace_rows, ws  # noqa: F401

CHECKS = {"size", "format", "seal", "manifest", "trust", "signature", "file hash", "entries", "chain", "counts",
          "continuity", "site"}
BOMB_BYTES = 10 * 1024 * 1024


def tree(root: Path) -> dict[str, int]:
    """Every file under ``root`` with its size, but the workspace database (SQLite may touch its files)."""
    return {str(p.relative_to(root)): p.lstat().st_size for p in root.rglob("*")
            if not p.name.startswith("workspace.db") and not p.is_dir()}


def assert_rejected(ws: Workspace, data: bytes) -> BundleRejected:  # noqa: F811
    with pytest.raises(BundleRejected) as rejected:
        ws.import_bytes(data, "hostile.dtb")
    exc = rejected.value
    assert exc.check in CHECKS and exc.problem and "\n" not in str(exc), str(exc)
    assert all(ch.isprintable() for ch in str(exc)), repr(str(exc))
    return exc


@pytest.fixture
def real_bundle(ward: Path, usb: Path) -> bytes:  # noqa: F811
    add_patients(ward, 3)
    return export(ward, usb).path.read_bytes()


def test_random_bytes_and_damaged_bundles(ws: Workspace, real_bundle: bytes, tmp_path: Path,  # noqa: F811
                                          campaign: Any) -> None:
    before, files = workspace_rows(ws), tree(tmp_path)
    header = real_bundle[:len(MAGIC) + 2 + real_bundle[len(MAGIC) + 1] + 32]
    hostile = st.one_of(
        st.binary(max_size=2000),
        st.builds(lambda tail: MAGIC + tail, st.binary(max_size=300)),
        st.builds(lambda label, tail: MAGIC + bytes([VERSION, len(label)]) + label + tail,
                  st.binary(max_size=255), st.binary(max_size=400)),
        st.builds(lambda cut: real_bundle[:cut], st.integers(0, len(real_bundle) - 1)),
        st.builds(lambda at, junk: real_bundle[:at] + junk + real_bundle[at + len(junk):],
                  st.integers(0, len(real_bundle) - 1), st.binary(min_size=1, max_size=64)),
        st.builds(lambda tail: header + tail, st.binary(max_size=500)),
    )
    with tallied(campaign, "fuzz: bundle reader, random and damaged bytes") as count:
        @fuzz_settings(150, 20_000)
        @given(hostile)
        def check(data: bytes) -> None:
            count()
            if data == real_bundle:
                return
            started = time.monotonic()
            assert_rejected(ws, data)
            assert time.monotonic() - started < 5

        check()
    assert workspace_rows(ws) == before and tree(tmp_path) == files
    assert ws.import_bytes(real_bundle, "intact.dtb").new > 0  # the real one still goes in


def test_a_label_with_terminal_escapes_is_shown_harmlessly(ws: Workspace) -> None:  # noqa: F811
    """Found by this campaign: the device label outside the seal went unfiltered into the refusal and the
    log, so a file could send escape sequences to the records officer's terminal."""
    label = b"\x1b]0;pwned\x07\x1b[2J../../W7"
    exc = assert_rejected(ws, MAGIC + bytes([VERSION, len(label)]) + label + bytes(300))
    assert exc.check == "seal" and "\x1b" not in str(exc) and "?]0;pwned?" in str(exc)


# -- archives dressed up as bundles -------------------------------------------------------------------------

def _tar(members: list[tuple[tarfile.TarInfo, bytes | None]], gzip: bool = False) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz" if gzip else "w") as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def _member(name: str, data: bytes = b"x", kind: bytes = tarfile.REGTYPE, link: str = "") -> tuple[Any, bytes | None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data if kind == tarfile.REGTYPE else None


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _huge_declared_tar() -> bytes:
    data = bytearray(_tar([_member("entries.ndjson", b"{}\n")]))
    data[124:136] = b"77777777777\x00"  # the size field: 8 GB declared, 3 bytes present
    return bytes(data)


ARCHIVES = {
    "tar with ../ member": lambda: _tar([_member("../../escape-tar.txt", b"owned")]),
    "tar with absolute member": lambda: _tar([_member("/tmp/escape-abs.txt", b"owned")]),
    "tar with symlink": lambda: _tar([_member("link", kind=tarfile.SYMTYPE, link="/etc/passwd"),
                                      _member("link", b"write through the link")]),
    "tar with duplicate members": lambda: _tar([_member("entries.ndjson", b"a"), _member("entries.ndjson", b"b")]),
    "tar with huge declared size": _huge_declared_tar,
    "tar.gz": lambda: _tar([_member("../escape-gz.txt", b"owned")], gzip=True),
    "zip with ../ and absolute members": lambda: _zip([("../escape-zip.txt", b"owned"), ("/tmp/abs-zip.txt", b"x")]),
    "zip bomb (10 MB of zeros)": lambda: _zip([("entries.ndjson", bytes(BOMB_BYTES))]),
    "zip with duplicate members": lambda: _zip([("m", b"1"), ("m", b"2")]),
}


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_archives_on_the_stick_are_refused_and_never_unpacked(ws: Workspace, tmp_path: Path,  # noqa: F811
                                                              usb: Path, campaign: Any) -> None:  # noqa: F811
    before, files = workspace_rows(ws), tree(tmp_path)
    with tallied(campaign, "fuzz: bundle reader, archives on the stick") as count:
        for name, build in ARCHIVES.items():
            count()
            path = usb / f"{name.replace(' ', '-').replace('/', '_')}.dtb"
            path.write_bytes(build())
            files[str(path.relative_to(tmp_path))] = path.stat().st_size
            with pytest.raises(BundleRejected) as rejected:
                ws.import_file(path)
            assert rejected.value.check == "format", (name, rejected.value)
    assert workspace_rows(ws) == before and tree(tmp_path) == files
    for escaped in ("escape-tar.txt", "escape-abs.txt", "escape-gz.txt", "escape-zip.txt", "abs-zip.txt"):
        assert not any(Path(d, escaped).exists() for d in ("/tmp", tmp_path.parent, tmp_path, usb.parent, os.getcwd()))


def test_device_files_folders_and_links_on_the_stick(ws: Workspace, usb: Path, tmp_path: Path,  # noqa: F811
                                                     campaign: Any) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    sparse = tmp_path / "sparse"
    with open(sparse, "wb") as fh:
        fh.truncate(600 * 1024 * 1024)  # bigger than any bundle, but takes no disk
    links = {"zero.dtb": "/dev/zero", "pipe.dtb": str(fifo), "folder.dtb": str(tmp_path), "big.dtb": str(sparse),
             "passwd.dtb": "/etc/passwd", "dangling.dtb": str(tmp_path / "nothing")}
    with tallied(campaign, "fuzz: bundle reader, links and device files") as count:
        for name, target in links.items():
            count()
            (usb / name).symlink_to(target)
            started = time.monotonic()
            with pytest.raises(Exception) as refused:
                ws.import_file(usb / name)
            assert type(refused.value).__name__ in ("BundleRejected", "DowntimeError"), (name, refused.value)
            assert time.monotonic() - started < 2, f"{name} was read"
            if isinstance(refused.value, BundleRejected):
                assert refused.value.check in ("format", "size"), (name, refused.value)


# -- decompression bombs signed by a trusted PC ------------------------------------------------------------

def _signed(ward: Path, ws: Workspace, manifest: dict[str, Any], body: bytes) -> bytes:  # noqa: F811
    """A bundle with exactly this manifest and body, signed with the ward's real key and sealed to the office."""
    admin = login(ward, ADMIN_ID, ADMIN_PIN)
    try:
        signing_key = admin.secrets.signing_key
    finally:
        admin.close()
    manifest_bytes = canonical_json(manifest).encode("utf-8")
    signature = signing_key.sign(SIGNING_CONTEXT + manifest_bytes).signature
    inner = struct.pack(">I", len(manifest_bytes)) + manifest_bytes + signature + body
    sender = PrivateKey.generate()
    label = manifest["device"].encode("ascii")
    sealed = Box(sender, PublicKey(bytes(ws.office.sealing_key.public_key))).encrypt(inner)
    return MAGIC + bytes([VERSION, len(label)]) + label + bytes(sender.public_key) + bytes(sealed)


def _bomb_manifest(ward: Path, ws: Workspace, entries: bytes) -> tuple[dict[str, Any], bytes]:  # noqa: F811
    admin = login(ward, ADMIN_ID, ADMIN_PIN)
    try:
        sealed = seal_bundle(entries, Span(1, 1, GENESIS, "0" * 64, {"patient.register": 1}),
                             site=admin.config.site["code"], site_name=admin.config.site["name"],
                             device=admin.config.device, signing_key=admin.secrets.signing_key,
                             office_public=bytes(ws.office.sealing_key.public_key), full=True,
                             created_at="2026-11-22T10:00:00+05:30")
    finally:
        admin.close()
    return sealed.manifest.to_json(), sealed.data


def _peak_while(action: Any) -> tuple[float, int, Any]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(BundleRejected) as rejected:
            action()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return time.monotonic() - started, peak, rejected.value


def test_decompression_bombs_from_a_trusted_pc(ward: Path, ws: Workspace, tmp_path: Path,  # noqa: F811
                                               campaign: Any) -> None:
    before, files = workspace_rows(ws), tree(tmp_path)
    zeros = bytes(BOMB_BYTES) + b"\n"
    manifest, honest = _bomb_manifest(ward, ws, zeros)
    body = zlib.compress(zeros, 1)  # as seal_bundle compresses, so the signed hashes hold
    assert len(body) < BOMB_BYTES // 200  # a real bomb: some 40 kB that inflate to 10 MB

    seconds, peak, exc = _peak_while(lambda: ws.import_bytes(honest, "bomb.dtb"))
    assert exc.check == "entries" and "not readable JSON" in exc.problem, exc
    assert seconds < 10 and peak < 6 * BOMB_BYTES, (seconds, peak)

    lying = dict(manifest, files={"entries.ndjson": dict(manifest["files"]["entries.ndjson"], bytes=1000)})
    seconds, peak, exc = _peak_while(lambda: ws.import_bytes(_signed(ward, ws, lying, body), "liar.dtb"))
    assert exc.check == "file hash" and peak < BOMB_BYTES // 2, (exc, peak)  # inflating stopped at 1 kB

    too_big = dict(manifest, files={"entries.ndjson": dict(manifest["files"]["entries.ndjson"],
                                                           bytes=MAX_ENTRIES_BYTES + 1)})
    seconds, peak, exc = _peak_while(lambda: ws.import_bytes(_signed(ward, ws, too_big, body), "huge.dtb"))
    assert exc.check == "manifest" and peak < BOMB_BYTES // 2, (exc, peak)  # refused before inflating
    campaign.record("fuzz: bundle reader, signed decompression bombs", 3, 0,
                    "10 MB of zeros in 45 kB: refused, memory bounded")
    assert workspace_rows(ws) == before and tree(tmp_path) == files
