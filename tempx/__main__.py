"""``python -m tempx``: the ``tempx`` command line."""

import sys

from tempx.numerics.cli import main

sys.exit(main())
