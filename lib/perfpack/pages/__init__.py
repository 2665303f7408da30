"""Pages: what a section notebook calls (one module per notebook)."""
