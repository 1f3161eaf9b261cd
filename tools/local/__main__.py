"""`python -m tools.local ...`: the old path of `gmw local ...` (tools/local/__init__.py)."""

import sys

from tools.local import main

sys.exit(main())
