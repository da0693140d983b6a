"""`python -m app.cli` is the same as the `andon` command."""

from app.cli.main import main

main()
