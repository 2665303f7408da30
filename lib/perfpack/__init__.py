"""perfpack: the quarterly police performance pack library.

Data flows one way: sources -> measures -> charts and tables -> notebooks.
The runner and the export know nothing about crime.
"""

__version__ = "0.1.0"
