"""``python -m tempx``: the ``tempx`` command line."""

import sys

from tempx.numerics.app.cli import main

sys.exit(main())
