"""Every message has a translation in zh-hans and ja; placeholders survive translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\{\s*\w+\s*\}\}")


@pytest.mark.parametrize("language", ["zh_Hans", "ja"])
def test_catalogue_is_complete_and_not_fuzzy(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id)
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, (language, message.id, text)
    assert missing == [], f"untranslated in {language}: {missing[:10]}"
