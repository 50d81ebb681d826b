"""The core transition helper, exercised on verification requests."""

from __future__ import annotations

import pytest

from shiji.accounts.tests.factories import UserFactory
from shiji.core.errors import InvalidState
from shiji.core.states import transition
from shiji.identity.models import VerificationEvent, VerificationRequest
from shiji.identity.states import TRANSITIONS

pytestmark = pytest.mark.django_db


def make_request() -> VerificationRequest:
    return VerificationRequest.objects.create(
        user=UserFactory(), legal_name="A B", document_type="passport", document_last4="1234", document_path="x.jpg"
    )


def test_allowed_move_updates_and_records_an_event():
    request = make_request()
    actor = UserFactory()
    event = transition(
        request, to="approved", table=TRANSITIONS, event_model=VerificationEvent, actor=actor, note="looks right"
    )
    request.refresh_from_db()
    assert request.status == "approved"
    assert (event.from_state, event.to_state, event.actor, event.note) == ("pending", "approved", actor, "looks right")


def test_forbidden_move_is_invalid_state_and_changes_nothing():
    request = make_request()
    transition(request, to="rejected", table=TRANSITIONS, event_model=VerificationEvent, note="blurred")
    with pytest.raises(InvalidState) as exc:
        transition(request, to="approved", table=TRANSITIONS, event_model=VerificationEvent)
    assert exc.value.status == 409 and exc.value.code == "invalid_state"
    request.refresh_from_db()
    assert request.status == "rejected"
    assert VerificationEvent.objects.filter(subject=request).count() == 1


def test_a_stale_copy_cannot_move_an_object_someone_else_moved():
    request = make_request()
    stale = VerificationRequest.objects.get(pk=request.pk)
    transition(request, to="approved", table=TRANSITIONS, event_model=VerificationEvent)
    with pytest.raises(InvalidState):
        transition(stale, to="rejected", table=TRANSITIONS, event_model=VerificationEvent)
    request.refresh_from_db()
    assert request.status == "approved"
