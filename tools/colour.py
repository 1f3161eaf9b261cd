"""Colour in what a tool prints: only on a terminal, and never when NO_COLOR is set.

https://no-color.org: `NO_COLOR` set to a non-empty value disables colour, whatever the stream; an
empty `NO_COLOR` is as if unset. Otherwise colour is on only when the stream is a terminal, so a
pipe, a file, a CI log or a pull-request comment (the preview workflow posts `tools.diff`'s output)
gets plain text. JSON, JUnit and the files a tool writes are never coloured.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

RESET = "\033[0m"
GREEN, YELLOW, RED, CYAN = "\033[32m", "\033[33m", "\033[31m", "\033[36m"


def enabled(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, colour: str, on: bool) -> str:
    return f"{colour}{text}{RESET}" if on and text else text


if __name__ == "__main__":
    from tools import not_a_command

    raise SystemExit(not_a_command("tools.colour"))
