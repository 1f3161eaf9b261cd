"""Local kind clusters for the workshop, in one command, the same one the e2e workflow runs.

    python3 -m tools local up [--topology three|single] [--node-image IMAGE]
    python3 -m tools local status [--topology three|single]
    python3 -m tools local down

`up` checks its prerequisites (a running Docker or Podman, kind, kubectl, cloud-provider-kind, the
Pulumi CLI, free memory, inotify limits) and reports every problem at once before it creates
anything; then it creates the topology's kind clusters with a pinned node image, starts
cloud-provider-kind in the background for LoadBalancer Services, and writes the matching stack
file (`stacks/local.yaml` or `stacks/local-single.yaml`). Run again, it changes nothing that is
in place. What it created is recorded in `.local/state.json`; `down` deletes exactly that.

Standard library only, so it runs before `pulumi install` has made the virtualenv:
`topology.py` (what each topology is, the stack file text), `prerequisites.py` (facts → problems),
`plan.py` (what `up` and `down` do, as data), all pure; `host.py` runs commands and processes;
`cli.py` ties them together and shows each step with its elapsed time.
"""

import sys

# Checked before anything newer is parsed: tools.local's modules need Python 3.11 (macOS's python3
# is often 3.9, which would stop at a SyntaxError). This file, __main__.py and tools/__init__.py
# stay parseable by any Python 3.
NEEDS = (3, 11)


def main(argv: "list[str] | None" = None) -> int:
    """`gmw local ...`: the version check, then the command (tools/local/cli.py)."""
    if sys.version_info[:2] < NEEDS:
        sys.stderr.write(
            "error: `tools local` needs Python " + ".".join(map(str, NEEDS)) + " or newer; this is Python "
            + ".".join(map(str, sys.version_info[:2])) + " (" + sys.executable + ").\n"
            "Run it with a newer interpreter, e.g. python3.11 -m tools local up\n")
        return 2
    from tools.local.cli import main as run

    return run(argv)
