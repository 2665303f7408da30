"""Measures: frames in, numbers out (no HTML, no loading)."""
