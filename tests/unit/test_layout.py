"""The layout the README promises: its Layout table names what exists, every top-level folder has a
row, and imports only point down the layers the table describes."""

from __future__ import annotations

import ast
import fnmatch
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = "video_pipeline"
PACKAGE_FOLDERS = {
    PIPELINE: ROOT / "lambdas" / PIPELINE,
    "emulator": ROOT / "emulator",
    "in_process": ROOT / "in_process",
    "local": ROOT / "local",
    "simulation": ROOT / "simulation",
    "infra": ROOT / "infra",
}
_ABOVE_EVERYTHING = ("benchmarks", "tests")
# What each package must never import: the README's "Imports only point down" paragraph.
FORBIDDEN = {
    PIPELINE: ("emulator", "in_process", "local", "simulation", "infra", *_ABOVE_EVERYTHING),
    "emulator": (PIPELINE, "in_process", "local", "simulation", "infra", *_ABOVE_EVERYTHING),
    "in_process": ("local", "simulation", "infra", *_ABOVE_EVERYTHING),
    "local": ("simulation", "infra", *_ABOVE_EVERYTHING),
    "simulation": ("local", "infra", *_ABOVE_EVERYTHING),
    "infra": ("emulator", "in_process", "local", "simulation", *_ABOVE_EVERYTHING),
}
# The stack reads the registry (with its options' checks), the contract and the data model, never the
# runtime's internals.
INFRA_MAY_READ = (
    f"{PIPELINE}.analyses",
    f"{PIPELINE}.analysis_options",
    f"{PIPELINE}.contract",
    f"{PIPELINE}.schema",
)
# Inside the pipeline: the use cases import no data access, the data access no entry point.
PIPELINE_FORBIDDEN = {
    "logic": ("dal", "handlers", "composition", "cli"),
    "dal": ("handlers", "composition", "cli"),
}


def layout_paths(readme: str) -> list[str]:
    """The backquoted paths of the first column of the README's Layout table."""
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [path for row in rows for path in re.findall(r"`([^`]+)`", row.split("|")[1])]


def ignored(name: str) -> bool:
    """Whether the repository's .gitignore leaves out a top-level entry (virtual env, caches, builds)."""
    patterns = [line.strip().rstrip("/") for line in (ROOT / ".gitignore").read_text().splitlines()]
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns if pattern and not pattern.startswith("#"))


def top_level_folders() -> list[str]:
    return sorted(
        entry.name for entry in ROOT.iterdir() if entry.is_dir() and entry.name != ".git" and not ignored(entry.name)
    )


def imports_of(folder: Path) -> Iterator[tuple[Path, str]]:
    """(file, absolute module name) of every import statement under `folder`, deferred ones included."""
    for file in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(), str(file))):
            if isinstance(node, ast.Import):
                yield from ((file, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield file, node.module


def within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(f"{package}.") for package in packages)


def test_every_path_the_layout_table_names_exists() -> None:
    paths = layout_paths((ROOT / "README.md").read_text())
    assert len(paths) >= 20, paths
    missing = [path for path in paths if not (ROOT / path).exists()]
    assert not missing, f"README's Layout table names paths that do not exist: {missing}"


def test_every_top_level_folder_has_a_row() -> None:
    named = {path.split("/", 1)[0] for path in layout_paths((ROOT / "README.md").read_text()) if "/" in path}
    unnamed = [folder for folder in top_level_folders() if folder not in named]
    assert not unnamed, f"top-level folders missing from README's Layout table: {unnamed}"


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_down(package: str) -> None:
    folder = PACKAGE_FOLDERS[package]
    upward = [
        f"{file.relative_to(ROOT)}: {module}"
        for file, module in imports_of(folder)
        if within(module, FORBIDDEN[package]) or (package == "infra" and not _infra_may_import(module))
    ]
    assert not upward, f"{package} imports what it must not: {upward}"


def _infra_may_import(module: str) -> bool:
    return not within(module, (PIPELINE,)) or within(module, INFRA_MAY_READ)


@pytest.mark.parametrize("layer", sorted(PIPELINE_FORBIDDEN))
def test_pipeline_layers_import_only_downward(layer: str) -> None:
    forbidden = tuple(f"{PIPELINE}.{name}" for name in PIPELINE_FORBIDDEN[layer])
    upward = [
        f"{file.relative_to(ROOT)}: {module}"
        for file, module in imports_of(PACKAGE_FOLDERS[PIPELINE] / layer)
        if within(module, forbidden)
    ]
    assert not upward, f"{PIPELINE}/{layer} imports what it must not: {upward}"
