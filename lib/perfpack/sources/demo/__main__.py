"""``python -m perfpack.sources.demo OUT [--scale K] [--seed N] [--format csv|parquet]``."""

import sys

from perfpack.sources.demo.write import main

sys.exit(main())
