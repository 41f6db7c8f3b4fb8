"""``python -m simulator`` is ``bptt-sim``."""
from .cli import main

raise SystemExit(main())
