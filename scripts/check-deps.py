#!/usr/bin/env python3
"""Checks that the module dependency graph is one and the same in three places: the
#include lines of src/ (tests excluded), the vigil_module() lines of CMakeLists.txt, and the
table in docs/architecture.md ("| module | depends on |"). Exits 1, naming each difference.
Run by scripts/test.sh, in the spirit of ninja's misc/ci.py."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def is_test(path: pathlib.Path) -> bool:
    name = path.name
    return name.endswith("_test.cc") or "_test_" in name or name.endswith("_fuzzer.cc")


def included_modules() -> dict:
    modules = {p.name for p in SRC.iterdir() if p.is_dir()}
    graph = {}
    for module in sorted(modules):
        deps = set()
        for f in (SRC / module).iterdir():
            if f.suffix not in (".h", ".cc") or is_test(f) or f.name == "main.cc" and module == "cli":
                continue
            for m in re.finditer(r'^#include "([a-z_]+)/', f.read_text(), re.M):
                if m.group(1) != module and m.group(1) in modules:
                    deps.add(m.group(1))
        graph[module] = deps
    return graph


def cmake_modules() -> dict:
    text = (ROOT / "CMakeLists.txt").read_text()
    modules = {p.name for p in SRC.iterdir() if p.is_dir()}
    graph = {}
    for m in re.finditer(r"^vigil_module\((\w+)([^)]*)\)", text, re.M):
        # vigil_toml and the like are build settings, not modules.
        graph[m.group(1)] = {d[len("vigil_"):] for d in m.group(2).split()
                             if d.startswith("vigil_") and d[len("vigil_"):] in modules}
    return graph


def documented_modules() -> dict:
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("| module | depends on |", 1)
    if len(section) < 2:
        return {}
    graph = {}
    for line in section[1].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        module = cells[0].strip("`/ ")
        deps = {d.strip("`/ ") for d in cells[1].split(",") if d.strip() not in ("", "–", "-")}
        graph[module] = deps
    return graph


def main() -> int:
    actual = included_modules()
    problems = []
    for where, graph in (("CMakeLists.txt", cmake_modules()), ("docs/architecture.md", documented_modules())):
        if not graph:
            problems.append(f"{where}: no module graph found")
            continue
        for module in sorted(set(actual) | set(graph)):
            want, have = actual.get(module, set()), graph.get(module, set())
            if module not in graph:
                problems.append(f"{where}: module {module} is missing")
            elif module not in actual:
                problems.append(f"{where}: module {module} does not exist in src/")
            elif want != have:
                extra = ", ".join(sorted(have - want)) or "-"
                missing = ", ".join(sorted(want - have)) or "-"
                problems.append(f"{where}: {module}: includes say {sorted(want)}; missing {missing}; not included {extra}")
    for p in problems:
        print("check-deps: " + p, file=sys.stderr)
    if not problems:
        print("check-deps: the module graph of src/, CMakeLists.txt and docs/architecture.md agree")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
