"""Entry point of the frozen app: the same ``downtime`` command as the installed package."""

import multiprocessing

from downtime.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the snapshot import parses in worker processes
    main(prog_name="downtime")
