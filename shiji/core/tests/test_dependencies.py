"""The offline half of the dependency audit (docs/security.md, "Dependencies").

Finding *new* advisories needs a vulnerability database (``pip-audit --strict`` where one is
reachable; on this project's machines it is not). What runs everywhere, offline:

- no version pinned in ``requirements/constraints.txt`` falls in a range that the advisories
  table of docs/security.md lists as vulnerable (a re-pin or a downgrade cannot bring a known
  hole back);
- what is installed is what is pinned, so an audit of the pins describes what runs.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[3]
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
SECURITY_DOC = ROOT / "docs" / "security.md"
_TABLE = re.compile(r"<!-- advisories:start -->(.*?)<!-- advisories:end -->", re.DOTALL)


def pins(path: Path = CONSTRAINTS) -> dict[str, Version]:
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not pinned with ==: {line!r}"
            found[str(canonicalize_name(name))] = Version(version)
    return found


def advisories(text: str) -> list[tuple[str, list[SpecifierSet], str]]:
    """Rows ``| package | vulnerable versions | advisory | fixed in | what |`` between the markers;
    alternatives in the versions column are separated by ``or``."""
    table = _TABLE.search(text)
    assert table, "docs/security.md has no advisories table"
    rows = []
    for line in table.group(1).strip().splitlines()[2:]:  # after the header and its rule
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 5, f"malformed advisory row: {line!r}"
        package, versions, advisory = cells[:3]
        ranges = [SpecifierSet(part.strip().strip("`")) for part in versions.split(" or ")]
        rows.append((str(canonicalize_name(package)), ranges, advisory))
    return rows


def affected(pinned: dict[str, Version], rows: list[tuple[str, list[SpecifierSet], str]]) -> list[str]:
    return [
        f"{package} {pinned[package]}: {advisory}"
        for package, ranges, advisory in rows
        if package in pinned and any(pinned[package] in spec for spec in ranges)
    ]


def test_the_table_is_read_and_a_vulnerable_pin_would_be_caught():
    rows = advisories(SECURITY_DOC.read_text())
    assert rows, "the advisories table is empty or not parsed"
    assert all(package for package, _ranges, _advisory in rows)
    django_rows = [row for row in rows if row[0] == "django"]
    assert affected({"django": Version("4.2.14")}, django_rows)
    assert not affected({"django": Version("4.2.15")}, django_rows)


def test_no_pinned_version_has_a_listed_advisory():
    assert affected(pins(), advisories(SECURITY_DOC.read_text())) == []


def test_what_is_installed_is_what_is_pinned():
    pinned = pins()
    installed = {str(canonicalize_name(d.metadata["Name"])): Version(d.version) for d in metadata.distributions()}
    different = {name: (str(installed[name]), str(v)) for name, v in pinned.items() if installed.get(name, v) != v}
    assert different == {}, "installed (left) differs from requirements/constraints.txt (right): run make setup"


@pytest.mark.parametrize("line", ["Django==5.2.19", "pillow==13.0.0  # a comment"])
def test_pins_are_read(tmp_path, line):
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(f"# header\n{line}\n")
    assert list(pins(constraints).values()) == [Version(line.split("==")[1].split()[0])]
