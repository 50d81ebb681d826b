"""What the schemathesis fuzz run (``shiji/api/tests/test_fuzz.py``) found in accounts."""

from __future__ import annotations

import pytest
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("decoded", [b"usr_\x00", b"\x05\x00\x00", b"not an id"])
def test_a_reset_link_whose_uid_decodes_to_no_user_id_is_a_bad_token(api, server_errors, decoded):
    """Found on PostgreSQL: a ``uid`` whose base64 decodes to text with a NUL byte reached the
    user lookup, which PostgreSQL refuses: a 500 instead of the bad-link answer."""
    body = {"uid": urlsafe_base64_encode(decoded), "token": "t", "new_password": "a long and unusual passphrase"}
    response = api.post("/auth/password-reset/confirm", body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_token"
    assert server_errors == []
