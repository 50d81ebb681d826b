"""Notes the system writes on state-machine events ("Receipt confirmed by the buyer.") are read
by people in different languages: the buyer in Chinese, the seller in Japanese, staff in
English. So they are stored as the English message id and its parameters, and worded in the
reader's language when shown (``note_text``). What a person typed (a cancel reason, an
escalation note) is stored and shown as written.

    note=system_note(gettext_noop("Offer: refund %(amount)s."), amount=str(refund))
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import translation
from django.utils.functional import Promise

PREFIX = "i18n:"


def _msgid(value: Any) -> str:
    """A lazy label (``DisputeReason.DAMAGED.label``) as its message id; anything else as text."""
    if isinstance(value, Promise):
        with translation.override(None):  # no catalogue: the message id itself
            return str(value)
    return str(value)


def system_note(message: str, **params: Any) -> str:
    """A note to store: ``message`` must be a message id (marked with ``gettext_noop``); each
    parameter is either a message id too (a lazy label) or plain text such as an amount."""
    return PREFIX + json.dumps({"m": message, "p": {k: _msgid(v) for k, v in params.items()}}, ensure_ascii=False)


def note_text(note: str | None) -> str:
    """The stored note as the current reader should read it."""
    if not note or not note.startswith(PREFIX):
        return note or ""
    try:
        data = json.loads(note[len(PREFIX) :])
        message = translation.gettext(str(data["m"]))
        params = {str(k): translation.gettext(str(v)) if v else "" for k, v in dict(data.get("p", {})).items()}
        return message % params if params else message
    except (ValueError, KeyError, TypeError):
        return note
