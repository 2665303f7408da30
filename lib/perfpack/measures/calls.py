"""Calls for service by channel: 999 (emergency), 101 (non-emergency) and digital contact.

The ``calls`` table holds one row per day and channel with the number of contacts; measures
weight each row by that number (``count``), so "calls" are contacts, not rows.
"""

from __future__ import annotations

import pandas as pd

from perfpack.measures.counts import total_calls

#: Channel code -> how the report names it, in the order tables show them.
CHANNELS = {"999": "999 calls", "101": "101 calls", "digital": "Digital contact"}


def channel(calls: pd.DataFrame, code: str) -> pd.DataFrame:
    """One channel's calls as weighted events (``count`` = calls that day)."""
    weighted = total_calls(calls)
    return weighted[weighted["channel"].astype("string") == code]


def by_channel(calls: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """``(key, label, events)`` for each channel (keys ``calls_999``, ``calls_101``,
    ``calls_digital``) followed by all calls (``calls_total``)."""
    out = [(f"calls_{code}", label, channel(calls, code)) for code, label in CHANNELS.items()]
    out.append(("calls_total", "All calls for service", total_calls(calls)))
    return out
