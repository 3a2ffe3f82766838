"""``python -m ccsim``: the ``ccsim`` command line."""

import sys

from analysis.cli import main

sys.exit(main())
