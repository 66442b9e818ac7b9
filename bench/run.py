"""Run every benchmark in bench/ and print each one's figures.

Each bench_*.py is a script of its own (so it can be run alone with options);
this harness runs them one after another in fresh processes, so that one
benchmark's memory and caches do not colour the next one's figures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    only = set(argv)
    scripts = sorted(p for p in BENCH_DIR.glob("bench_*.py") if not only or p.stem in only)
    env = {**os.environ, "PYTHONPATH": str(BENCH_DIR.parent)}
    failed = []
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)], env=env)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
        if result.returncode != 0:
            failed.append(script.stem)
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
