"""Hashes of identifiers, for the cheap first test for duplicates
(:func:`perfpack.sources.canonical` checks ``crime_id`` and the other identifiers): sorting
64-bit hashes finds that no two identifiers are alike without a hash table of the strings."""

from __future__ import annotations

import numpy as np
import pandas as pd


def string_hashes(values: pd.Series) -> np.ndarray | None:
    """FNV-1a hashes of the UTF-8 bytes of Arrow-backed strings without missing values, read
    straight from the Arrow buffers (no Python objects); None for anything else."""
    import pyarrow as pa  # heavy: only when a table is read or validated

    if not pd.api.types.is_string_dtype(values.dtype) or values.isna().any():
        return None
    try:
        chunks = pa.Table.from_pandas(values.to_frame(), preserve_index=False).column(0).chunks
    except (pa.ArrowException, TypeError, ValueError):
        return None
    out = []
    for chunk in chunks:
        if not pa.types.is_large_string(chunk.type) and not pa.types.is_string(chunk.type):
            return None
        width = 8 if pa.types.is_large_string(chunk.type) else 4
        n = len(chunk)
        offsets = np.frombuffer(chunk.buffers()[1], dtype=f"<i{width}", count=n + 1, offset=chunk.offset * width).astype(np.int64)
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8) if n and chunk.buffers()[2] is not None else np.zeros(0, np.uint8)
        lengths = np.diff(offsets)
        if n and lengths.max() > 64:
            return None  # long free text, not an identifier: the exact test
        h = np.full(n, 14695981039346656037, dtype=np.uint64) ^ lengths.astype(np.uint64)
        prime = np.uint64(1099511628211)
        if n and (lengths == lengths[0]).all():  # fixed width, the usual identifier
            rows = data[offsets[0] : offsets[0] + n * lengths[0]].reshape(n, lengths[0])
            for j in range(lengths[0]):
                h = (h ^ rows[:, j]) * prime
        else:
            for j in range(int(lengths.max()) if n else 0):
                live = lengths > j
                h[live] = (h[live] ^ data[offsets[:-1][live] + j]) * prime
        out.append(h)
    return np.concatenate(out) if out else np.zeros(0, np.uint64)
