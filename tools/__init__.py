"""The commands. `gmw <command> ...` (or `python -m tools <command> ...`) runs one; `gmw` alone lists
them. Each is a thin `main(argv) -> int` over the library (`offline/`, `tools.local`'s pure parts).

Exit codes, the same for every command:
    0  done; nothing the command checks for was found
    1  the command ran and found what it checks for (a failed check, a change in --fail-on,
       a policy violation, a plan that is blocked)
    2  it could not run: bad arguments, an invalid stack or fleet file, a missing prerequisite

Kept importable by any Python 3 (no newer syntax here, standard library only): `python3 -m tools
local up` runs before the virtualenv exists and must get as far as `tools.local`'s version check.
"""

import sys

PROG = "gmw"


class Command:
    """One command of the front door: its name, the module whose `main(argv)` runs it, one line of
    help and examples (each run as `gmw <example>`)."""

    def __init__(self, name: str, module: str, summary: str, examples: "tuple[str, ...]") -> None:
        self.name = name
        self.module = module
        self.summary = summary
        self.examples = examples


COMMANDS = (
    Command("local", "tools.local", "kind clusters for the workshop on this machine (before the venv exists)",
            ("local up", "local up --topology single", "local status", "local down")),
    Command("render", "tools.render", "a stack's Kubernetes objects, Helm releases, RBAC and policy report, "
            "offline", ("render stacks/gateway.yaml --out render/gateway",)),
    Command("diff", "tools.diff", "what a config change does to each resource (create, update, replace, delete)",
            ("diff dev --set istioCanaryRevision=1-18 --set istioCanaryTag=1.18.2-solo",
             "diff stacks/gateway.yaml --against old-gateway.yaml --fail-on replace,delete")),
    Command("verify", "tools.verify.cli", "check a deployed stack the way the workshop does (curl, kubectl)",
            ("verify dev", "verify dev --outputs outputs.json --json")),
    Command("snapshot", "tools.snapshot", "check or update the committed URN snapshots of the stack files",
            ("snapshot check", "snapshot update")),
    Command("fleet", "tools.fleet.__main__", "a fleet file: render its stacks and operator manifests, or check them",
            ("fleet check dev", "fleet render dev --out fleet-out")),
    Command("changed-stacks", "tools.changed_stacks", "the stacks a git change affects (the preview workflow)",
            ("changed-stacks --base origin/main --head HEAD",)),
    Command("mutate", "tools.mutate.cli", "which one-token changes of the pure core no test notices (slow)",
            ("mutate components/core/features.py", "mutate --json mutants.json")),
    Command("bench", "benchmarks.run", "measure the offline evaluation at several fleet sizes",
            ("bench --runs 3 --sizes 2 8",)),
)
BY_NAME = dict((c.name, c) for c in COMMANDS)


def prog(name: str) -> str:
    """How a command names itself in its usage and errors: `gmw <command>`."""
    return PROG + " " + name


def not_a_command(module: str) -> int:
    """What `python -m tools.<module>` says when the module is no command, and which ones there are."""
    commands = ", ".join(PROG + " " + c.name for c in COMMANDS)
    sys.stderr.write("error: " + module + " is not a command.\n"
                     "The commands are: " + commands + " (`" + PROG + "` lists them; README.md).\n")
    return 2
