"""``python -m porescope`` runs the CLI."""

from porescope.cli import main

main()
