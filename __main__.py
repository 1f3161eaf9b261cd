"""Entry point for `pulumi up` / `pulumi preview`: everything lives in components/."""

import pulumi

from components.core.config import ConfigError
from components.program import main

try:
    main()
except ConfigError as error:
    # A config mistake is the user's to fix: show the message, not a traceback.
    raise pulumi.RunError(str(error)) from None
