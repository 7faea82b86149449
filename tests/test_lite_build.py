"""The in-browser edition's build (scripts/build_lite.py): the Pyodide gate refuses any file that does not match the
official pyodide-lock.json, the built distribution is exactly what that lock describes, the browser's mathlib is
the current source, and the browser copies of the chapters are the chapters with only the kernel changed.

The reference for every sha256 here is the official lock in the npm tarball pyodide@0.27.7, read straight from the
tarball (pinned in scripts/setup), or the sha256 of a file computed here; never a value the build wrote down.
"""

import hashlib
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import build_lite  # noqa: E402  (a script, not an installed package)

SERVED = ROOT / "_build" / "html" / "lite" / "static" / "pyodide"
SETUP = ROOT / "scripts" / "setup"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def official_lock():
    with tarfile.open(build_lite.PYODIDE_TARBALL) as archive:
        return json.load(archive.extractfile("package/pyodide-lock.json"))


def _distribution_member(name: str) -> bytes:
    with zipfile.ZipFile(build_lite.DISTRIBUTION_WHEEL) as archive:
        return archive.read(build_lite.DISTRIBUTION_PREFIX + name)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_the_build_pins_the_same_tarball_as_setup():
    assert f"PYODIDE_NPM_SHA256={build_lite.PYODIDE_TARBALL_SHA256}" in SETUP.read_text()


def test_the_gate_accepts_files_that_match_the_lock(official_lock, tmp_path):
    packages = official_lock["packages"]
    members = {build_lite.DISTRIBUTION_PREFIX + packages[n]["file_name"]: _distribution_member(packages[n]["file_name"]) for n in ("six", "decorator")}
    files = build_lite.verified_package_files(packages, ["six", "decorator"], _zip(tmp_path / "d.zip", members), build_lite.DISTRIBUTION_PREFIX)
    assert {name: _sha256(data) for name, data in files.items()} == {packages[n]["file_name"]: packages[n]["sha256"] for n in ("six", "decorator")}


def test_the_gate_refuses_a_file_that_does_not_match_the_lock(official_lock, tmp_path):
    packages = official_lock["packages"]
    six, decorator = packages["six"]["file_name"], packages["decorator"]["file_name"]
    tampered = bytearray(_distribution_member(decorator))
    tampered[len(tampered) // 2] ^= 0x01
    members = {
        build_lite.DISTRIBUTION_PREFIX + six: _distribution_member(six),
        build_lite.DISTRIBUTION_PREFIX + decorator: bytes(tampered),
    }
    with pytest.raises(build_lite.GateError) as refused:
        build_lite.verified_package_files(packages, ["six", "decorator"], _zip(tmp_path / "d.zip", members), build_lite.DISTRIBUTION_PREFIX)
    message = str(refused.value)
    assert f"{decorator} (decorator): sha256 {_sha256(bytes(tampered))} does not match the official lock's {packages['decorator']['sha256']}" in message
    assert six not in message


def test_the_gate_refuses_a_missing_file(official_lock, tmp_path):
    packages = official_lock["packages"]
    with pytest.raises(build_lite.GateError, match=r"numpy-2\.0\.2-.*\(numpy\): missing from d\.zip"):
        build_lite.verified_package_files(packages, ["numpy"], _zip(tmp_path / "d.zip", {}), build_lite.DISTRIBUTION_PREFIX)


def test_the_gate_refuses_a_tarball_that_is_not_the_pinned_one(tmp_path):
    tarball = tmp_path / "pyodide-0.27.7.tgz"
    tarball.write_bytes(build_lite.PYODIDE_TARBALL.read_bytes() + b"\0")
    with pytest.raises(build_lite.GateError, match="not the pinned"):
        build_lite.read_official_lock(tarball, build_lite.PYODIDE_TARBALL_SHA256)


def test_the_build_fails_when_the_distribution_has_a_tampered_file(official_lock, tmp_path):
    """End to end: the real script, given a copy of the distribution wheel with one byte of numpy changed."""
    numpy_member = build_lite.DISTRIBUTION_PREFIX + official_lock["packages"]["numpy"]["file_name"]
    tampered_wheel = tmp_path / build_lite.DISTRIBUTION_WHEEL.name
    with zipfile.ZipFile(build_lite.DISTRIBUTION_WHEEL) as source, zipfile.ZipFile(tampered_wheel, "w") as copy:
        for member in source.namelist():
            if member.startswith(build_lite.DISTRIBUTION_PREFIX):
                data = source.read(member)
                if member == numpy_member:
                    data = data[:-1] + bytes([data[-1] ^ 0x01])
                copy.writestr(member, data)
    output = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_lite.py"), "--distribution", str(tampered_wheel),
         "--output", str(output), "--work", str(tmp_path / "work")],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 1, result.stderr
    assert "refusing to build: 1 Pyodide file(s) do not match" in result.stderr
    assert official_lock["packages"]["numpy"]["file_name"] + " (numpy): sha256" in result.stderr
    assert not output.exists()


def test_the_served_distribution_is_the_official_lock_plus_pure_python_wheels(official_lock):
    served = json.loads((SERVED / "pyodide-lock.json").read_text())
    assert served["info"] == official_lock["info"]
    pure = {"mathlib", "sympy", "mpmath", "comm"}
    for name, entry in served["packages"].items():
        data = (SERVED / entry["file_name"]).read_bytes()
        assert _sha256(data) == entry["sha256"], entry["file_name"]
        if name not in pure:
            assert entry == official_lock["packages"][name], name
    assert pure <= set(served["packages"])
    assert {"numpy", "scipy", "matplotlib"} <= set(served["packages"])
    listed = {entry["file_name"] for entry in served["packages"].values()}
    unlisted = {p.name for p in SERVED.iterdir()} - listed - set(build_lite.CORE_FILES) - {"pyodide-lock.json"}
    assert not unlisted, f"files served but not in the lock: {unlisted}"


def test_the_served_core_files_are_the_npm_packages(official_lock):
    with tarfile.open(build_lite.PYODIDE_TARBALL) as archive:
        for name in build_lite.CORE_FILES:
            assert (SERVED / name).read_bytes() == archive.extractfile(f"package/{name}").read(), name


def test_the_browser_mathlib_is_the_current_source():
    served = json.loads((SERVED / "pyodide-lock.json").read_text())["packages"]["mathlib"]
    assert served["imports"] == ["mathlib"] and served["depends"] == ["numpy"]
    sources = {p.relative_to(ROOT / "mathlib" / "src").as_posix(): p.read_bytes() for p in (ROOT / "mathlib" / "src" / "mathlib").glob("*.py")}
    with zipfile.ZipFile(SERVED / served["file_name"]) as wheel:
        packaged = {n: wheel.read(n) for n in wheel.namelist() if n.startswith("mathlib/") and n.endswith(".py")}
    assert packaged == sources


def test_pure_wheel_entry_reads_the_wheels_metadata(tmp_path):
    wheel = _zip(
        tmp_path / "demo_pkg-1.2-py3-none-any.whl",
        {
            "demo_pkg/__init__.py": b"",
            "helper.py": b"",
            "demo_pkg-1.2.dist-info/METADATA": b"Metadata-Version: 2.1\nName: Demo_Pkg\nVersion: 1.2\n"
            b"Requires-Dist: numpy>=1.26\nRequires-Dist: colorama; sys_platform == 'win32'\n\n",
        },
    )
    entry = build_lite.pure_wheel_lock_entry(wheel)
    assert entry["name"] == "demo-pkg" and entry["version"] == "1.2"
    assert entry["imports"] == ["demo_pkg", "helper"]
    assert entry["depends"] == ["numpy"]
    assert entry["sha256"] == _sha256(wheel.read_bytes())


def test_macro_definitions_in_mathjax_configuration_format():
    macros = {"KL": r"\operatorname{KL}", "norm": [r"\lVert #1 \rVert", 1]}
    assert build_lite.macro_definitions(macros) == "\\newcommand{\\KL}{\\operatorname{KL}}\n\\newcommand{\\norm}[1]{\\lVert #1 \\rVert}"


def test_lite_notebook_changes_only_kernel_outputs_and_macros():
    source = json.loads((ROOT / "book" / "part1" / "01_likelihood.ipynb").read_text())
    before = json.dumps(source, sort_keys=True)
    lite = build_lite.lite_notebook(source, {"KL": r"\operatorname{KL}"})
    assert json.dumps(source, sort_keys=True) == before, "the chapter itself must not change"
    assert lite["metadata"]["kernelspec"] == {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
    macro_cell, *cells = lite["cells"]
    assert macro_cell["metadata"]["tags"] == [build_lite.MACROS_CELL_TAG]
    assert "\\newcommand{\\KL}{\\operatorname{KL}}" in macro_cell["source"]
    assert [c["source"] for c in cells] == [c["source"] for c in source["cells"]]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in cells if c["cell_type"] == "code")
    assert build_lite.lite_notebook(source, {})["cells"][0] == lite["cells"][1], "no macro cell without macros"


def test_the_built_chapters_name_the_pyodide_kernel():
    lite_files = ROOT / "_build" / "html" / "lite" / "files" / "book"
    notebooks = sorted(lite_files.glob("part*/*.ipynb"))
    assert len(notebooks) == len(list((ROOT / "book").glob("part*/*.ipynb")))
    for path in notebooks:
        assert json.loads(path.read_text())["metadata"]["kernelspec"]["name"] == "python", path
