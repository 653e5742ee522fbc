"""`python -m benchmarks [options]` (same as `nyash bench`)."""
import sys

from .harness import main

sys.exit(main(sys.argv[1:]))
