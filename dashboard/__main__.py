"""`python -m dashboard` is the `logdash` command."""
from .cli import main

main(prog_name="logdash")
