from downtime.cli import main

main(prog_name="downtime")
