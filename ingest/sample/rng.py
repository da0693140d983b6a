"""Random streams keyed by (seed, stream, day, …), so no day's draws depend on another's.

A generator for one day of one stream is built from the seed, a fixed stream number, the
day's ordinal and any further keys (a line's index, a file's name). Whatever ran before,
and however long the period, the draws for that day are the same: the property that keeps
yesterday's extracts byte-identical when one more day is generated.
"""

from __future__ import annotations

import zlib
from datetime import date

import numpy as np

LINE = 2  # one line's machines, work orders, production and inspections
SALES = 3  # orders taken and shipments
PURCHASING = 4  # goods receipts and reorders
BAD_ROWS = 5  # where in a file a deliberately bad row goes
HOUSEKEEPING = 6  # transfers and cycle-count adjustments
PLM = 7  # engineering changes
APS = 8  # schedule versions: when they are published and what they move


def day_rng(seed: int, stream: int, day: date, *keys: int) -> np.random.Generator:
    """The generator of `stream` for `day` (plus keys such as a line index)."""
    return np.random.default_rng([seed, stream, day.toordinal(), *keys])


def text_key(text: str) -> int:
    """A stable integer key for a name (Python's hash() is salted per process)."""
    return zlib.crc32(text.encode("utf-8"))
