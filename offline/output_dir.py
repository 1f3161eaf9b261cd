"""Writing a tool's output folder without ever touching a file the tool did not write.

`tools.render --out DIR` and `tools.fleet render --out DIR` write a tree of files into DIR. DIR may
be a folder the user already has things in (`--out .`, `--out stacks`), so a tool may only create
files, and replace or remove the files that it wrote itself on an earlier run. It records those in
a manifest in DIR (`MANIFEST`: each relative path with the SHA-256 of what was written). A run:

- into a new or empty folder writes the files and the manifest;
- into a folder with a manifest rewrites the files it lists, and removes those the new output no
  longer has (a removed cluster's files do not linger);
- refuses, before writing anything, a folder that holds files but no manifest, a file to write that
  exists and is not in the manifest (the user's), and a listed file that was changed since it was
  written (the user's edits are not overwritten or deleted);
- refuses, before writing anything, a symbolic link anywhere inside DIR on the way to a file it
  writes, removes or reads (the manifest included): a link would take the write somewhere else.
  Each file is written to a new temporary file beside it, then renamed over it, so a hard link to
  the old file is not written through either. (DIR itself may be a link: the user names it.)

`plan` is pure (what to write, what to remove, or why not); `write_tree` applies it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = ".gloo-mesh-workshop-output.json"
_FORMAT = 1


class OutputDirError(Exception):
    """The output folder cannot be written without touching a file the tool did not write."""


@dataclass(frozen=True)
class WritePlan:
    write: dict[str, str]
    remove: tuple[str, ...]
    manifest: dict[str, str]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _relative(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or name != path.as_posix():
        raise OutputDirError(f"invalid path {name!r} in the output (must be relative, inside the folder)")
    return name


def plan(out: str, files: Mapping[str, str], present: Mapping[str, str | None],
         manifest: Mapping[str, str] | None, folder_empty: bool) -> WritePlan:
    """What writing `files` (relative path → text) into `out` does.

    `present` holds, for each path of `files` or of `manifest`, the SHA-256 of the file now in the
    folder (None: absent); `manifest` is the folder's manifest (None: it has none); `folder_empty`
    says whether the folder holds nothing at all (or does not exist)."""
    for name in files:
        _relative(name)
    if manifest is None and not folder_empty:
        raise OutputDirError(
            f"{out} already holds files that this tool did not write (it has no {MANIFEST}); "
            "choose a new or empty folder, e.g. --out render/<stack>")
    recorded = dict(manifest or {})
    for name in recorded:
        _relative(name)
    mine = {name for name, sha in recorded.items() if present.get(name) == sha}
    edited = sorted(name for name in recorded if present.get(name) not in (None, recorded[name]))
    foreign = sorted(name for name in files if present.get(name) is not None and name not in recorded)
    if foreign:
        raise OutputDirError(
            f"{out}: {', '.join(foreign)} exists and was not written by this tool; not overwriting it "
            "(choose a new or empty folder)")
    if edited:
        raise OutputDirError(
            f"{out}: {', '.join(edited)} was changed since this tool wrote it; not overwriting or removing "
            "it (move your changes elsewhere, or delete the file)")
    remove = tuple(sorted(name for name in mine if name not in files))
    return WritePlan(write=dict(sorted(files.items())), remove=remove,
                     manifest={name: digest(text) for name, text in sorted(files.items())})


def _read_manifest(out: Path) -> dict[str, str] | None:
    path = out / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        files = data["files"]
        if data.get("format") != _FORMAT or not isinstance(files, dict):
            raise ValueError("unknown format")
        return {str(k): str(v) for k, v in files.items()}
    except (ValueError, KeyError, TypeError) as error:
        raise OutputDirError(f"{path} is not a manifest this tool can read ({error}); "
                             "choose a new or empty folder") from None


def _links(out: Path, names: Iterable[str]) -> list[str]:
    """The paths (relative to `out`) of symbolic links on the way to any of `names`, inside `out`."""
    found = set()
    for name in names:
        path = out
        for part in PurePosixPath(name).parts:
            path = path / part
            if path.is_symlink():
                found.add(path.relative_to(out).as_posix())
                break
    return sorted(found)


def _refuse_links(out: Path, names: Iterable[str]) -> None:
    links = _links(out, names)
    if links:
        raise OutputDirError(f"{out}: {', '.join(links)} is a symbolic link; not writing, removing or reading "
                             "through it (remove the link, or choose a new or empty folder)")


def _write(path: Path, text: str) -> None:
    """`text` into a new file beside `path` (never a link: O_EXCL, O_NOFOLLOW), then renamed over it."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _make_folders(out: Path, folder: Path) -> None:
    """`folder` and its parents up to `out`, none of them a link (checked before)."""
    missing = []
    while folder != out and not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()


def _sha_of(path: Path) -> str | None:
    if path.is_dir():
        return "directory"
    if not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_tree(out: Path, files: Mapping[str, str]) -> list[Path]:
    """Write `files` (relative path → text) into `out` under the rules above; the paths written."""
    if out.exists() and not out.is_dir():
        raise OutputDirError(f"{out} exists and is not a folder; --out names the folder to write to")
    _refuse_links(out, [MANIFEST])
    manifest = _read_manifest(out) if out.is_dir() else None
    folder_empty = not out.is_dir() or not any(out.iterdir())
    names = set(files) | set(manifest or {})
    for name in names:
        _relative(name)
    _refuse_links(out, names)
    present = {name: _sha_of(out / name) for name in names}
    result = plan(str(out), files, present, manifest, folder_empty)
    for name in result.remove:
        (out / name).unlink()
        _prune_empty(out, (out / name).parent)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in result.write.items():
        path = out / name
        _make_folders(out, path.parent)
        _write(path, text)
    _write(out / MANIFEST, json.dumps({"format": _FORMAT, "files": result.manifest}, indent=2) + "\n")
    return [out / name for name in result.write]


def _prune_empty(out: Path, folder: Path) -> None:
    """Remove folders the removals left empty, up to (not including) `out`."""
    while folder != out and out in folder.parents and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent

