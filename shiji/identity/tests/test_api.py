"""POST /me/verification and the identity reviewer's queue and decision."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shiji.accounts.tests.factories import UserFactory
from shiji.core.models import AuditEvent
from shiji.core.tests import images
from shiji.identity.models import VerificationEvent, VerificationRequest

pytestmark = pytest.mark.django_db

DOC_NUMBER = "E12-345-6789"


def upload(content: bytes, name: str = "doc.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def submit(client, content: bytes | None = None, **overrides):
    data = {
        "legal_name": "Yamada Haruka",
        "document_type": "passport",
        "document_number": DOC_NUMBER,
        "document_image": upload(content if content is not None else images.jpeg_with_gps()),
    }
    data.update(overrides)
    return client.post_multipart("/me/verification", data)


def stored_files() -> list[Path]:
    roots = [Path(settings.PRIVATE_ROOT), Path(settings.MEDIA_ROOT)]
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def reviewer():
    return UserFactory(roles=["identity_reviewer"])


def test_submit_stores_last4_only_and_the_image_privately(api_as):
    user = UserFactory()
    response = submit(api_as(user))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["id"].startswith("ver_")
    request = VerificationRequest.objects.get(pk=body["id"])
    assert request.document_last4 == "6789"
    # The full document number is stored nowhere.
    for row in VerificationRequest.objects.values():
        assert "123456789" not in str(row) and "12-345" not in str(row)
    assert not any("345" in str(a.data) for a in AuditEvent.objects.all())
    # The image sits under the private root, re-encoded without EXIF, and not under media.
    files = stored_files()
    assert len(files) == 1
    assert Path(settings.PRIVATE_ROOT) in files[0].parents
    assert len(Image.open(files[0]).getexif()) == 0
    assert VerificationEvent.objects.filter(subject=request, to_state="pending").count() == 1


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"just text, not an image", "doc.jpg", "image/jpeg"),
        (images.SVG, "doc.svg", "image/svg+xml"),
        (images.png_bomb(), "bomb.png", "image/png"),
        (b"%PDF-1.7 fake", "doc.pdf", "application/pdf"),
    ],
)
def test_bad_documents_are_422_and_nothing_is_stored(api_as, content, name, content_type):
    user = UserFactory()
    response = api_as(user).post_multipart(
        "/me/verification",
        {
            "legal_name": "Yamada Haruka",
            "document_type": "passport",
            "document_number": DOC_NUMBER,
            "document_image": upload(content, name, content_type),
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert "document_image" in response.json()["error"]["fields"]
    assert VerificationRequest.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize(
    "overrides",
    [{"document_type": "library_card"}, {"document_number": "12"}, {"document_number": "<script>"}, {"legal_name": ""}],
)
def test_bad_fields_are_422_and_nothing_is_stored(api_as, overrides):
    response = submit(api_as(UserFactory()), **overrides)
    assert response.status_code == 422
    assert VerificationRequest.objects.count() == 0
    assert stored_files() == []


def test_oversized_upload_is_refused(api_as, settings):
    settings.SHIJI_IMAGE_MAX_BYTES = 2000
    response = submit(api_as(UserFactory()), content=images.jpeg_with_gps((1200, 1200)))
    assert response.status_code == 422
    assert stored_files() == []


def test_one_pending_request_at_a_time_and_none_once_verified(api_as):
    client = api_as(UserFactory())
    assert submit(client).status_code == 202
    second = submit(client)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "verification_pending"
    verified = api_as(UserFactory(verification_level=1))
    assert submit(verified).json()["error"]["code"] == "already_verified"


def test_unauthenticated_submit_is_401(api):
    assert submit(api).status_code == 401


def test_reviewer_approves_level_goes_to_1_with_audit_and_mail(api_as, reviewer):
    user = UserFactory()
    ver_id = submit(api_as(user)).json()["id"]
    staff = api_as(reviewer)
    queue = staff.get("/staff/verifications").json()
    assert [item["id"] for item in queue["items"]] == [ver_id]
    assert queue["items"][0]["legal_name"] == "Yamada Haruka"
    document = staff.get(f"/staff/verifications/{ver_id}/document")
    assert document.status_code == 200
    assert document["Content-Type"] == "image/jpeg"
    assert document["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(document.content)).format == "JPEG"
    assert AuditEvent.objects.filter(action="identity.document_viewed", actor=reviewer).count() == 1

    mail.outbox.clear()
    response = staff.post(f"/staff/verifications/{ver_id}/decision", {"approve": True, "reason": ""})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    user.refresh_from_db()
    assert user.verification_level == 1
    audit = AuditEvent.objects.get(action="identity.approved")
    assert audit.actor == reviewer and audit.target_id == ver_id
    assert VerificationEvent.objects.filter(
        subject_id=ver_id, from_state="pending", to_state="approved", actor=reviewer
    ).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    # Deciding again is an illegal transition.
    again = staff.post(f"/staff/verifications/{ver_id}/decision", {"approve": False, "reason": "late"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_state"
    assert api_as(user).get("/me").json()["verification_level"] == 1


def test_rejection_needs_a_reason_and_the_user_sees_it(api_as, reviewer):
    user = UserFactory()
    client = api_as(user)
    ver_id = submit(client).json()["id"]
    staff = api_as(reviewer)
    missing = staff.post(f"/staff/verifications/{ver_id}/decision", {"approve": False, "reason": "  "})
    assert missing.status_code == 422
    assert VerificationRequest.objects.get(pk=ver_id).status == "pending"
    reason = "The photo is blurred; please upload a sharper one."
    assert (
        staff.post(f"/staff/verifications/{ver_id}/decision", {"approve": False, "reason": reason}).status_code == 200
    )
    mine = client.get("/me/verification").json()
    assert mine["status"] == "rejected"
    assert mine["reason"] == reason
    user.refresh_from_db()
    assert user.verification_level == 0
    # After a rejection the user may try again.
    assert submit(client).status_code == 202


def test_only_identity_reviewers_and_admins_reach_the_queue(api, api_as):
    owner = UserFactory()
    ver_id = submit(api_as(owner)).json()["id"]
    for path in ("/staff/verifications", f"/staff/verifications/{ver_id}", f"/staff/verifications/{ver_id}/document"):
        assert api.get(path).status_code == 401
        assert api_as(owner).get(path).status_code == 403  # not even the owner reads staff views
        for role in ("moderator", "arbitrator", "finance"):
            assert api_as(UserFactory(roles=[role])).get(path).status_code == 403
        assert api_as(UserFactory(roles=["admin"])).get(path).status_code == 200
    decision = api_as(UserFactory(roles=["moderator"])).post(
        f"/staff/verifications/{ver_id}/decision", {"approve": True, "reason": ""}
    )
    assert decision.status_code == 403
    assert VerificationRequest.objects.get(pk=ver_id).status == "pending"


def test_unknown_verification_is_404_for_reviewers(api_as, reviewer):
    response = api_as(reviewer).get("/staff/verifications/ver_00000000000000000000000000")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_my_verification_is_404_before_any_submission(api_as):
    assert api_as(UserFactory()).get("/me/verification").status_code == 404


def test_identity_documents_are_not_reachable_under_media(api_as, client):
    submit(api_as(UserFactory()))
    name = VerificationRequest.objects.get().document_path
    assert client.get(f"/media/{name}").status_code == 404
    traversal = client.get(f"/media/../private/{name}")
    assert traversal.status_code in (400, 404)
    assert traversal.get("Content-Type", "").startswith("text/html")


def test_a_reviewer_cannot_decide_their_own_document(api_as):
    reviewer = UserFactory(roles=["identity_reviewer"])
    client = api_as(reviewer)
    ver_id = submit(client).json()["id"]
    response = client.post(f"/staff/verifications/{ver_id}/decision", {"approve": True, "reason": ""})
    assert response.status_code == 403
    reviewer.refresh_from_db()
    assert reviewer.verification_level == 0
    assert VerificationRequest.objects.get(pk=ver_id).status == "pending"
