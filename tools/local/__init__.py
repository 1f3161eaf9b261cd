"""Local kind clusters for the workshop, in one command, the same one the e2e workflow runs.

    python -m tools.local up [--topology three|single] [--node-image IMAGE]
    python -m tools.local status [--topology three|single]
    python -m tools.local down

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
