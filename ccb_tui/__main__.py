"""``python -m ccb_tui``."""

import gc
import sys

# Start-up allocates some 100,000 objects (Textual, the store, the first frame) that all stay alive:
# the collector's passes over them cost ~40 ms before the dashboard's first frame and free next to
# nothing. cli.main turns it back on for the headless commands; the dashboard after its first frame.
gc.disable()

from .cli import main  # noqa: E402

sys.exit(main())
