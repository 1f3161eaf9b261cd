"""`python -m tools.verify ...`: the old path of `gmw verify ...`."""

import sys

from tools.verify.cli import main

sys.exit(main())
