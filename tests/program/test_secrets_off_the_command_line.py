"""No command the README, docs/ or `tools.local` give puts the license or a token on a command line.

A process's arguments are readable by every user of the machine (`ps`, /proc/<pid>/cmdline), so a
secret goes in on standard input: `pulumi config set KEY` with no value reads the value from
standard input when that is not a terminal, and asks without echoing it when it is (pulumi/pulumi
pkg/cmd/pulumi/config/config.go, `configSetCmd.Run`). `printf` is built into the shell, so
`printf %s "$VALUE" | …` starts no process with the value in its arguments. kubectl reads a
`--from-file=KEY=PATH` with os.ReadFile, so `/dev/stdin` is standard input (kubernetes/kubectl
pkg/cmd/create/create_secret.go, `handleSecretFromFileSources`).
"""

from __future__ import annotations

import re
import shlex
from types import SimpleNamespace

import pytest

from offline import ROOT
from tools.local.cli import next_steps
from tools.local.topology import SINGLE, THREE, Topology

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
OPERATORS = {"|", "||", "&&", ";", "(", ")", "&"}
REDIRECTS = {"<", ">", ">>", "<<<"}
# `pulumi config set` flags that take a value (the rest are switches: --secret, --path, --raw, ...).
VALUED = {"--config-file", "--stack", "-s", "--type", "--cwd", "-C"}


def shell_texts(text: str) -> list[str]:
    """Every line of a page that sets a config value or creates a Secret: from its bash/console blocks
    (continuations joined) and its inline code."""
    blocks = re.findall(r"```(?:bash|console|sh)\n(.*?)```", text, flags=re.DOTALL)
    lines = [line.strip().removeprefix("$ ") for block in blocks for line in block.replace("\\\n", " ").splitlines()]
    spans = re.findall(r"`([^`\n]*(?:config set|create secret)[^`\n]*)`", text)
    return [line for line in lines + spans if "config set" in line or "create secret" in line]


def simple_commands(line: str) -> list[list[str]]:
    """The words of each simple command of a line, redirections left out; `<key>` stands for a value."""
    lexer = shlex.shlex(re.sub(r"<[\w .-]+>", "VALUE", line), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands: list[list[str]] = [[]]
    redirect = False
    for token in lexer:
        if token in OPERATORS:
            commands.append([])
        elif token in REDIRECTS:
            redirect = True
        elif redirect:
            redirect = False
        else:
            commands[-1].append(token)
    return [words for words in commands if words]


def config_set_values(words: list[str]) -> list[str]:
    """The positional arguments after `pulumi config set`: the key and, if given, the value."""
    positional, skip = [], False
    for word in words[3:]:
        if skip:
            skip = False
        elif word in VALUED:
            skip = True
        elif not word.startswith("-"):
            positional.append(word)
    return positional


def secret_on_argv(line: str) -> str | None:
    """Why a line puts a secret on a command line, or None."""
    for words in simple_commands(line):
        if words[:3] == ["pulumi", "config", "set"] and "--secret" in words and len(config_set_values(words)) > 1:
            return f"the value of `{config_set_values(words)[0]}` is an argument"
        if words[0] == "kubectl" and "create" in words and "secret" in words:
            if any(word.startswith("--from-literal") for word in words):
                return "a --from-literal value is an argument"
    return None


def local_next_steps(topology: Topology) -> list[str]:
    lines: list[str] = []
    next_steps(SimpleNamespace(say=lines.append), topology, SimpleNamespace(load_balancer=None))  # type: ignore[arg-type]
    return lines


def sources() -> list[tuple[str, str]]:
    """(where, command line) of every command a reader is given."""
    found = [(page.relative_to(ROOT).as_posix(), line) for page in PAGES for line in shell_texts(page.read_text())]
    for topology in (THREE, SINGLE):
        command = " ".join(line for line in local_next_steps(topology) if line.startswith("  "))
        found += [(f"tools.local up --topology {topology.name}", command.replace("\\", " "))]
        found += [(topology.stack_file, span)
                  for span in re.findall(r"`([^`\n]*config set[^`\n]*)`", topology.stack_file_text())]
    return found


@pytest.mark.parametrize("line", [
    'pulumi config set --secret licenseKey "$GLOO_MESH_LICENSE_KEY" --config-file stacks/local.yaml',
    "pulumi config set --secret licenseKey <key> --config-file stacks/local.yaml",
    "pulumi config set --secret licenseKey …",
    'kubectl -n x create secret generic license --from-literal=licenseKey="$GLOO_MESH_LICENSE_KEY"',
])
def test_a_secret_on_the_command_line_is_found(line: str) -> None:
    assert secret_on_argv(line)


@pytest.mark.parametrize("line", [
    'printf %s "$GLOO_MESH_LICENSE_KEY" | pulumi config set --secret licenseKey --config-file stacks/local.yaml',
    "pulumi config set --secret licenseKey --config-file stacks/local.yaml < license.txt",
    "pulumi config set --secret licenseKey",
    'printf %s "$T" | kubectl -n x create secret generic api --from-file=accessToken=/dev/stdin',
    "pulumi config set mgmtContext kind-mgmt",
])
def test_a_secret_on_standard_input_passes(line: str) -> None:
    assert secret_on_argv(line) is None


def test_no_command_given_to_a_reader_puts_a_secret_on_the_command_line() -> None:
    found = sources()
    assert sum("config set --secret" in line for _, line in found) >= 6  # the check sees the commands
    wrong = [f"{where}: {line} ({why})" for where, line in found if (why := secret_on_argv(line))]
    assert not wrong, "\n".join(wrong)


def test_the_local_next_steps_pipe_the_license_in() -> None:
    for topology in (THREE, SINGLE):
        steps = "\n".join(local_next_steps(topology))
        assert (f'&& printf %s "$GLOO_MESH_LICENSE_KEY" | pulumi config set --secret licenseKey '
                f"--config-file {topology.stack_file} \\") in steps


def test_the_readme_says_why() -> None:
    readme = (ROOT / "README.md").read_text()
    assert 'printf %s "$GLOO_MESH_LICENSE_KEY" | pulumi config set --secret licenseKey' in readme
    assert "on no command\nline that `ps` shows" in readme


def test_fleet_secrets_are_created_from_standard_input() -> None:
    text = (ROOT / "docs" / "fleet.md").read_text()
    assert "--from-file=licenseKey=/dev/stdin" in text and "--from-file=accessToken=/dev/stdin" in text
