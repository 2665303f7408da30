"""Presentation: charts and tables drawn from numbers (loads nothing, computes no statistics)."""
