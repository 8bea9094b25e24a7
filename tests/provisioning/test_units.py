"""What `install` copies: every file of systemd/ accounted for, each going where its own
``Installed as`` comment says, shipped in a wheel by pyproject.toml's data files and found
there, and every group the units and rules name made by `install`."""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

from provisioning import install, units

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "systemd"


def shipped_files() -> set[str]:
    return {p.relative_to(SYSTEMD).as_posix() for p in SYSTEMD.rglob("*") if p.is_file()}


def test_every_file_of_systemd_is_installed_or_said_not_to_be():
    listed = {f.source for f in units.FILES}
    assert listed & set(units.NOT_INSTALLED) == set()
    assert shipped_files() - set(units.NOT_INSTALLED) == listed
    assert all((SYSTEMD / source).is_file() for source in listed)
    assert units.source_dir() == SYSTEMD  # a checkout: the folder beside the package


def test_each_file_goes_where_its_installed_as_comment_says():
    said = 0
    for shipped in units.FILES:
        found = re.search(r"Installed as (/[^\s;]+)", (SYSTEMD / shipped.source).read_text(encoding="utf-8"))
        if found:
            said += 1
            assert found.group(1).rstrip(".") == shipped.destination(units.DEFAULT_PREFIX), shipped.source
    assert said >= len(units.FILES) - 1


def test_every_group_a_unit_or_rule_names_is_made_by_install():
    named: set[str] = set()
    for path in SYSTEMD.rglob("*"):
        if path.suffix in (".service", ".conf") and path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith("SupplementaryGroups="):
                    named |= set(line.split("=", 1)[1].split())
        if path.suffix == ".rules":
            named |= set(re.findall(r'\bGROUP="([^"]+)"', path.read_text(encoding="utf-8")))
    assert {"dialout", "lp", "input"} <= named
    assert named <= set(install.GROUPS)


def test_pyproject_ships_exactly_these_files_as_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data_files = config["tool"]["setuptools"]["data-files"]
    placed: dict[str, str] = {}
    for dest, patterns in data_files.items():
        for pattern in patterns:
            for path in glob.glob(pattern, root_dir=ROOT):
                if (ROOT / path).is_file():
                    placed[Path(path).relative_to("systemd").as_posix()] = f"{dest}/{Path(path).name}"
    assert set(placed) == {f.source for f in units.FILES}
    for source, dest in placed.items():
        assert dest == (units.DATA_SUBDIR / source).as_posix()


def test_an_installed_wheel_finds_its_data_files(tmp_path):
    """The layout pip makes from the wheel: the package in site-packages, the data files in
    <prefix>/share/kiosk/systemd."""
    prefix = tmp_path / "venv"
    relative = Path(sysconfig.get_path("purelib")).relative_to(sysconfig.get_path("data"))
    site = prefix / relative
    shutil.copytree(ROOT / "provisioning", site / "provisioning", ignore=shutil.ignore_patterns("__pycache__"))
    data = prefix / units.DATA_SUBDIR
    for shipped in units.FILES:
        (data / shipped.source).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SYSTEMD / shipped.source, data / shipped.source)
    found = subprocess.run([sys.executable, "-c", "from provisioning.units import source_dir; print(source_dir())"],
                           capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(site)}, timeout=60)
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()) == data
