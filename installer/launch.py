"""Entry point of the frozen app: the same ``downtime`` command as the installed package."""

from downtime.cli import main

if __name__ == "__main__":
    main(prog_name="downtime")
