"""The downtime command as a user or a script runs it: real processes, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from downtime import __version__
from downtime.session import login

ROOT = Path(__file__).resolve().parent.parent
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def run(*args: str, staff: str = "ADMIN1", pin: str = "482916", **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "DOWNTIME_STAFF": staff, "DOWNTIME_PIN": pin, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "downtime", *args], capture_output=True, text=True,
                          env=full_env, timeout=120, stdin=subprocess.DEVNULL)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli") / "ward"
    r = run("--home", str(home), "init", "--site", "AIIMS New Delhi", "--device", "W7-PC2")
    assert r.returncode == 0, r.stderr
    r = run("--home", str(home), "staff", "add", "--id", "N1042", "--name", "Nurse Kavita", "--role", "ward",
            "--pin-env", "NEW_PIN", NEW_PIN="735190")
    assert r.returncode == 0, r.stderr
    return home


def test_version() -> None:
    r = run("--version")
    assert r.returncode == 0 and __version__ in r.stdout


def test_entry_add_prints_id_and_uuid_and_list_shows_it(cli_home: Path, tmp_path: Path) -> None:
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps({"name": "Sunita Devi", "sex": "female", "age_years": 45,
                                   "relative": "W/o Ramesh", "phone": "9876543210"}))
    r = run("--home", str(cli_home), "entry", "add", "patient.register", "--json", str(payload),
            staff="N1042", pin="735190")
    assert r.returncode == 0, r.stderr
    human_id, uuid = r.stdout.split()
    assert human_id.startswith("AIIMS-001-") and UUID.fullmatch(uuid)
    listed = run("--home", str(cli_home), "entry", "list", "--kind", "patient.register", "--json")
    entries = json.loads(listed.stdout)
    assert [(e["uuid"], e["human_id"], e["payload"]["name"]) for e in entries][-1] == (uuid, human_id,
                                                                                       "Sunita Devi")


def test_downtime_home_env_replaces_home_option(cli_home: Path) -> None:
    r = run("journal", "verify", DOWNTIME_HOME=str(cli_home))
    assert r.returncode == 0 and "intact" in r.stdout


def test_validation_error_is_one_line_naming_the_field(cli_home: Path, tmp_path: Path) -> None:
    payload = tmp_path / "bad.json"
    payload.write_text(json.dumps({"name": "Sunita", "sex": "female", "dob": "15/03/1984"}))
    r = run("--home", str(cli_home), "entry", "add", "patient.register", "--json", str(payload))
    assert_one_line_error(r, "Date of birth (dob)", "YYYY-MM-DD")


@pytest.mark.parametrize("args,words", [
    (("entry", "add", "no.such.kind", "--json", "-"), ("no entry kind called 'no.such.kind'",)),
    (("entry", "add", "patient.register", "--json", "/nonexistent.json"), ("cannot read",)),
    (("entry", "show", "AIIMS-001-99999-0"), ("no entry",)),
])
def test_user_errors_are_one_line(cli_home: Path, args: tuple[str, ...], words: tuple[str, ...]) -> None:
    assert_one_line_error(run("--home", str(cli_home), *args), *words)


def test_wrong_pin_and_missing_home_are_one_line(cli_home: Path, tmp_path: Path) -> None:
    assert_one_line_error(run("--home", str(cli_home), "entry", "list", pin="000111"), "wrong PIN")
    assert_one_line_error(run("--home", str(tmp_path / "nowhere"), "entry", "list"), "not a downtime folder")


def test_verify_fails_naming_the_tampered_seq(tmp_path: Path) -> None:
    home = tmp_path / "ward"
    assert run("--home", str(home), "init", "--site", "AIIMS", "--device", "W1-PC1").returncode == 0
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps({"name": "Mohd Irfan", "sex": "male", "age_years": 33}))
    for _ in range(3):
        assert run("--home", str(home), "entry", "add", "patient.register", "--json", str(payload)).returncode == 0
    session = login(home, "ADMIN1", "482916")
    seq = session.journal.db.execute(
        "SELECT seq FROM entries WHERE kind = 'patient.register' ORDER BY seq LIMIT 1 OFFSET 1").fetchone()[0]
    session.journal.db.execute("DROP TRIGGER entries_no_update")
    session.journal.db.execute("UPDATE entries SET payload = replace(payload, 'Irfan', 'Irfam') WHERE seq = ?",
                               [seq])
    session.journal.db.conn.commit()
    session.close()
    r = run("--home", str(home), "journal", "verify")
    assert_one_line_error(r, f"seq {seq}", "changed")
