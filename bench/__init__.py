"""Side-by-side benchmark of the generated Lambda handler and its alternatives.

`python -m bench.run --help` (or `make bench`) runs it; see README.md.
Modules imported inside the measured processes (events, contenders, worker)
use the standard library only at import time, so they add no cost of their own.
"""
