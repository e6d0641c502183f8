"""``python -m laggroam``: the same as the ``laggroam`` command."""

import sys

from laggroam.admin.cli import main

sys.exit(main())
