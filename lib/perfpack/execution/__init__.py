"""Execution: the runner, its workers, the kernel server, provenance."""
