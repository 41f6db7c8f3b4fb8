"""``python -m simulator`` is ``bptt-sim``."""
from simulator.cli import main

raise SystemExit(main())
