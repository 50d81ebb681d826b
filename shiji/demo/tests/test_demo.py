import pytest
from django.core.management import call_command

from shiji.accounts.models import User
from shiji.identity.models import VerificationRequest

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_has_people_in_japan_and_china(settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo")
    counts = (User.objects.count(), VerificationRequest.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo")
    assert (User.objects.count(), VerificationRequest.objects.count()) == counts
    assert set(User.objects.filter(is_staff=False).values_list("country", flat=True)) == {"JP", "CN"}
    assert VerificationRequest.objects.filter(status="pending").count() == 1
    roles = set(User.objects.filter(is_staff=True).values_list("groups__name", flat=True))
    assert roles == {"moderator", "identity_reviewer", "arbitrator", "finance", "admin"}
