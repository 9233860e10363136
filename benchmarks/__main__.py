"""`python -m benchmarks …`: the tooling's commands without the product's `sbk`."""

import sys

from benchmarks.cli import main

sys.exit(main())
