"""`python -m warehouse` is the same as the `andon` command."""

from warehouse.cli import main

main()
