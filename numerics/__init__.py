"""tempx.numerics — float64 gradient descent and flow on batches of linear RNNs, and the CLI."""

from __future__ import annotations

__version__ = "0.1.0"
