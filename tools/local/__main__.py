import sys

# Checked before anything newer is parsed: tools.local's modules need Python 3.11 (macOS's python3
# is often 3.9, which would stop at a SyntaxError). This file and the two package __init__ files
# stay parseable by any Python 3.
NEEDS = (3, 11)
if sys.version_info[:2] < NEEDS:
    sys.stderr.write(
        "error: python -m tools.local needs Python " + ".".join(map(str, NEEDS)) + " or newer; this is Python "
        + ".".join(map(str, sys.version_info[:2])) + " (" + sys.executable + ").\n"
        "Run it with a newer interpreter, e.g. python3.11 -m tools.local up\n")
    sys.exit(2)

from tools.local.cli import main  # noqa: E402

sys.exit(main())
