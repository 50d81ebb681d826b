"""The README's configuration table stays true: every variable the settings read is documented."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_every_setting_read_from_the_environment_is_in_the_readme():
    source = "".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    names = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', source))
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`([A-Z_]+)`", readme))
    for prefix in ("SHIJI_EMAIL_",):  # documented as one row with suffixes
        if f"{prefix}HOST" in documented:
            documented |= {f"{prefix}{s}" for s in ("PORT", "USER", "PASSWORD", "TLS")}
    assert names, "no settings found"
    assert sorted(names - documented) == []
