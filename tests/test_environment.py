"""The pip path (pyproject.toml + constraints.txt) and the conda path (environment.yml)
name the same packages at the same versions, and the data manifest matches the files."""

import hashlib
import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parent.parent


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def split_req(req: str) -> str:
    return norm(re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0])


def pyproject_packages() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = meta["dependencies"] + meta["optional-dependencies"]["dev"]
    return {split_req(r) for r in reqs}


def constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[norm(name)] = version
    return pins


def environment_packages() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for req in dep["pip"]:
                if req.startswith("-"):
                    continue
                name, version = req.split("==")
                out[norm(name)] = version
        else:
            name, _, version = dep.partition("=")
            out[norm(name)] = version
    out.pop("python")
    out.pop("pip")
    return out


def test_pip_and_conda_name_the_same_packages():
    assert pyproject_packages() == set(environment_packages())


def test_conda_versions_equal_the_pip_pins():
    pins = constraints()
    env = environment_packages()
    diff = {k: (v, pins.get(k)) for k, v in env.items() if pins.get(k) != v}
    assert not diff, f"environment.yml vs constraints.txt: {diff}"


def test_torch_is_pinned_to_the_cpu_wheel_version():
    assert constraints()["torch"] == "2.13.0"
    assert environment_packages()["torch"] == "2.13.0"


def test_every_dependency_is_pinned():
    pins = constraints()
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    every = {split_req(r) for group in meta["optional-dependencies"].values() for r in group}
    missing = (pyproject_packages() | every) - set(pins)
    assert not missing, f"not pinned in constraints.txt: {sorted(missing)}"


def test_data_manifest_checksums():
    manifest = ROOT / "data" / "MANIFEST.sha256"
    listed = {}
    for line in manifest.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split()
            listed[name] = digest
    skip = ("MANIFEST.sha256", "README.md")
    files = {p.name for p in (ROOT / "data").iterdir() if p.is_file() and p.name not in skip}
    assert files == set(listed), "every data file needs a line in data/MANIFEST.sha256 (and vice versa)"
    for name, digest in listed.items():
        assert hashlib.sha256((ROOT / "data" / name).read_bytes()).hexdigest() == digest, name
