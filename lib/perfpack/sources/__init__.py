"""Data sources: each turns its input into one :class:`~perfpack.sources.dataset.Dataset`.

``canonical``
    The force's own record-level extract, one file per table (the data contract).
``policeuk``
    data.police.uk monthly street-level files (``YYYY-MM-<force>-street.csv``, flat or in
    ``YYYY-MM/`` folders) for the force named by its slug: crimes by police.uk crime type and
    ASB incidents, by district (the NPA); see :mod:`perfpack.sources.policeuk`.
``homeoffice``
    The Home Office police recorded crime force-area tables (``prc-pfa*.csv``): quarterly
    counts by offence code for one force, classified like record-level data; see
    :mod:`perfpack.sources.homeoffice`.

What a source cannot give is in ``Dataset.unavailable`` (name -> the words a section shows).
"""

from perfpack.sources.dataset import SOURCES, Dataset, SourceError
from perfpack.sources.load import load_dataset, make_snapshot
from perfpack.sources.snapshot import read_snapshot, write_snapshot

__all__ = ["Dataset", "SourceError", "load_dataset", "make_snapshot", "read_snapshot", "write_snapshot", "SOURCES"]
