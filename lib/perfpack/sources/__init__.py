"""Data sources: each turns its input into one :class:`~perfpack.sources.dataset.Dataset`.

``canonical``
    The force's own record-level extract, one file per table (the data contract).
"""

from .dataset import Dataset, SourceError, load_dataset, write_snapshot, SOURCES

__all__ = ["Dataset", "SourceError", "load_dataset", "write_snapshot", "SOURCES"]
