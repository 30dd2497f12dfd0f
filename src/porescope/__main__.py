"""``python -m porescope`` runs the CLI."""

import gc

# Off while the CLI is imported (nothing it builds is garbage); porescope.cli.main
# freezes what was imported and switches the collector back on (cli/base.py tune_process).
gc.disable()

from porescope.cli import main  # noqa: E402

main()
