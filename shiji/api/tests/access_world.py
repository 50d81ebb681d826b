"""The world the access-control matrix (``test_access_matrix``) runs against, built once per module through the real
services: two parties (a buyer and a seller), a stranger, one account per staff role, and an
object of every private kind in each state an endpoint needs (orders from placed to reviewed,
disputes from open to escalated, threads, evidence, payouts, a verification, reports, risk
decisions...). ``World.ids`` names each object so that a matrix row can say which one it hits."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from typing import cast
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from shiji.accounts.models import User
from shiji.accounts.roles import Role
from shiji.accounts.services import staff_create, token_create
from shiji.accounts.tests.factories import PASSWORD, UserFactory, chinese_buyer
from shiji.catalog import services as catalog
from shiji.catalog.models import Listing, ListingPhoto
from shiji.catalog.tests.factories import demo_rates, draft, published
from shiji.core.money import Money
from shiji.core.tests import images
from shiji.disputes import services as disputes
from shiji.disputes.models import Dispute
from shiji.identity.models import VerificationRequest
from shiji.identity.services import verification_submit
from shiji.ledger.services import clearing_account, post_entry, user_account
from shiji.messaging import services as messaging
from shiji.messaging.models import Conversation
from shiji.moderation import services as moderation
from shiji.notifications.models import Notification
from shiji.orders import flow
from shiji.orders.models import Order
from shiji.orders.services import quote_create as order_quote
from shiji.orders.tests.factories import mark_shipped, order_placed, pay, seller_jp, ship
from shiji.payments.models import Payment, Refund, SandboxOperation
from shiji.payments.payouts import payout_request_by_seller
from shiji.payments.tests.factories import payout_account
from shiji.payments.tests.provider import provider_rejects_refund
from shiji.reputation import services as reputation
from shiji.risk.models import RiskDecision
from shiji.shipping.models import Shipment
from shiji.shipping.tests.factories import SHIP_TO_CN

# Who asks. ``anon`` carries no credentials; the others are signed in (a bearer token for the
# API, a session for pages).
PARTIES = ("buyer", "seller", "stranger")
STAFF = tuple(role.value for role in Role)  # moderator, identity_reviewer, arbitrator, finance, admin
PERSONAS = (*PARTIES, *STAFF, "anon")


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    # Names of files in private storage (identity documents, evidence, labels) and one public photo.
    private_files: list[str] = field(default_factory=list)
    public_file: str = ""

    def user(self, persona: str) -> User:
        return self.users[persona]


def _order(world: World, *, state: str) -> Order:
    order = order_placed(buyer=world.users["buyer"], listing=Listing.objects.get(pk=world.ids["listing"]))
    if state == "pending_payment":
        return order
    pay(order)
    if state == "paid":
        return order
    mark_shipped(order)
    if state == "shipped":
        return order
    with TestCase.captureOnCommitCallbacks(execute=True):
        flow.order_complete(order_id=order.pk)
    order.refresh_from_db()
    return order


def _dispute(world: World, *, reason: str = "damaged") -> Dispute:
    order = _order(world, state="shipped")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return disputes.dispute_open(
            buyer=world.users["buyer"], order_id=order.pk, reason=reason, description="The vase arrived broken."
        )


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", images.png(mode="RGB"), content_type="image/png")


def _user(name: str) -> User:
    return cast(User, UserFactory(display_name=name))


def _people(world: World) -> None:
    world.users["seller"] = seller_jp(display_name="Seller")
    world.users["buyer"] = chinese_buyer(display_name="Buyer")
    world.users["stranger"] = _user("Stranger")
    for role in STAFF:
        world.users[role] = staff_create(email=f"{role}@staff.test", password=PASSWORD, role=role)
    for persona, user in world.users.items():
        world.tokens[persona] = token_create(user=user)


def _catalog(world: World) -> None:
    seller = world.users["seller"]
    world.ids["listing"] = published(seller, quantity=40).pk
    listing_draft = draft(seller)
    for _ in range(2):
        catalog.photo_add(seller=seller, listing_id=listing_draft.pk, image=io.BytesIO(images.png(mode="RGB")))
    world.ids["draft"] = listing_draft.pk
    photos = ListingPhoto.objects.filter(listing=listing_draft).order_by("position")
    world.ids["draft_photo"], world.ids["draft_photo_2"] = (str(photo.pk) for photo in photos)
    world.ids["stranger_draft"] = draft(world.users["stranger"]).pk
    world.public_file = ListingPhoto.objects.get(listing_id=world.ids["listing"]).image_path
    suppressed = published(seller)
    catalog.listing_suppress(moderator=world.users["moderator"], listing_id=suppressed.pk, reason="Fake brand.")
    world.ids["listing_suppressed"] = suppressed.pk


def _orders(world: World) -> None:
    pending = _order(world, state="pending_payment")
    world.ids["order_pending"] = pending.pk
    world.ids["quote"] = pending.quote_id
    world.ids["payment"] = Payment.objects.get(order=pending).pk
    world.ids["order_paid"] = _order(world, state="paid").pk
    fresh = order_quote(buyer=world.users["buyer"], listing_id=world.ids["listing"], quantity=1, ship_to=SHIP_TO_CN)
    world.ids["quote_fresh"] = fresh.pk  # not ordered yet
    shipped = pay(order_placed(buyer=world.users["buyer"], listing=Listing.objects.get(pk=world.ids["listing"])))
    shipment = ship(shipped)  # for real: a label in private storage, a tracking number
    world.ids["order_shipped"] = shipped.pk
    world.ids["tracking"] = shipment.tracking_number
    world.private_files.append(str(Shipment.objects.get(pk=shipment.pk).label.name))
    world.ids["order_completed"] = _order(world, state="completed").pk


def _reviews(world: World) -> None:
    buyer, seller = world.users["buyer"], world.users["seller"]
    reviewed = _order(world, state="completed")
    with TestCase.captureOnCommitCallbacks(execute=True):
        by_buyer = reputation.review_create(author=buyer, order_id=reviewed.pk, rating=5, text="Lovely vase.")
        by_seller = reputation.review_create(author=seller, order_id=reviewed.pk, rating=5, text="Quick payer.")
        reputation.review_hide(moderator=world.users["moderator"], review_id=by_seller.pk, reason="Off topic.")
    world.ids["order_reviewed"] = reviewed.pk
    world.ids["review"] = by_buyer.pk  # revealed: about the seller
    world.ids["review_hidden"] = by_seller.pk
    sealed_order = _order(world, state="completed")
    sealed = reputation.review_create(author=buyer, order_id=sealed_order.pk, rating=2, text="Slow.")
    world.ids["review_sealed"] = sealed.pk  # the seller has not written theirs: only its author sees it


def _disputes(world: World) -> None:
    buyer, seller = world.users["buyer"], world.users["seller"]
    opened = _dispute(world)
    world.ids["dispute"] = opened.pk
    world.ids["dispute_order"] = opened.order_id
    sent = disputes.evidence_upload(user=buyer, dispute_id=opened.pk, upload=images.png(mode="RGB"))
    disputes.dispute_message(user=buyer, dispute_id=opened.pk, text="See the photo.", attachments=[sent.pk])
    unsent = disputes.evidence_upload(user=buyer, dispute_id=opened.pk, upload=images.png(mode="RGB"))
    world.ids["evidence"], world.ids["evidence_draft"] = sent.pk, unsent.pk
    world.private_files += [str(sent.image.name), str(unsent.image.name)]

    refund = Money(1000, "CNY")
    with TestCase.captureOnCommitCallbacks(execute=True):
        offered = _dispute(world)
        disputes.dispute_offer(user=seller, dispute_id=offered.pk, refund=refund, return_required=False)
        pending = _dispute(world)
        disputes.dispute_offer(user=seller, dispute_id=pending.pk, refund=refund, return_required=True)
        disputes.dispute_accept(user=buyer, dispute_id=pending.pk)
        returned = _dispute(world)
        disputes.dispute_offer(user=seller, dispute_id=returned.pk, refund=refund, return_required=True)
        disputes.dispute_accept(user=buyer, dispute_id=returned.pk)
        disputes.dispute_return_ship(user=buyer, dispute_id=returned.pk, carrier="JP Post", tracking_number="RR1JP")
        escalated = _dispute(world)
        disputes.dispute_escalate(user=buyer, dispute_id=escalated.pk, note="No answer.")
    world.ids["dispute_offered"] = offered.pk
    world.ids["dispute_return_pending"] = pending.pk
    world.ids["dispute_return_shipped"] = returned.pk
    world.ids["dispute_escalated"] = escalated.pk


def _messages(world: World) -> None:
    buyer = world.users["buyer"]
    sent = messaging.order_message_send(sender=buyer, order_id=world.ids["order_shipped"], text="When will it arrive?")
    world.ids["message"] = sent.message.pk
    world.ids["conversation_order"] = Conversation.objects.get(order_id=world.ids["order_shipped"]).pk
    sent = messaging.inquiry_start(buyer=buyer, listing_id=world.ids["listing"], text="Is it still available?")
    world.ids["conversation_inquiry"] = sent.conversation.pk


def _money(world: World) -> None:
    seller = world.users["seller"]
    payout_account(seller)
    with TestCase.captureOnCommitCallbacks(execute=True):
        world.ids["payout"] = payout_request_by_seller(user=seller, amount=Money(1000, "JPY")).pk
    # A refund the provider's bank rejected after the buyer cancelled: the closed order still
    # holds the money, and only finance may send it again.
    stranded = _order(world, state="paid")
    with (
        mock.patch("shiji.payments.providers.sandbox._send", return_value=None),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        flow.order_cancel(user=world.users["buyer"], order_id=stranded.pk)
    refund = Refund.objects.get(order=stranded)
    SandboxOperation.objects.filter(target_id=refund.pk).update(status="failed")
    provider_rejects_refund(refund)
    world.ids["order_stranded"] = stranded.pk


def _risk(world: World) -> None:
    """One decision at a moderator's point (a listing's words) and one at finance's (a payout
    asked for an hour after the payout account changed: held)."""
    published(world.users["seller"], title={"ja": "高仿 バッグ"})
    world.ids["decision_moderator"] = RiskDecision.objects.get(point="listing_publish").pk
    changed = seller_jp(display_name="Changed account")
    post_entry(
        key=f"fund:{changed.pk}",
        kind="test.fund",
        legs=[(clearing_account("sandbox"), Money(-20000, "JPY")), (user_account(changed.pk), Money(20000, "JPY"))],
    )
    payout_account(changed, changed_ago=timedelta(hours=1))
    payout_request_by_seller(user=changed, amount=Money(5000, "JPY"))
    world.ids["decision_finance"] = RiskDecision.objects.get(point="payout_request").pk


def _trust(world: World) -> None:
    buyer, moderator = world.users["buyer"], world.users["moderator"]
    report, _created = moderation.report_create(
        reporter=buyer, target_type="listing", target_id=world.ids["listing"], reason="counterfeit", details="Fake?"
    )
    world.ids["report"] = report.pk
    world.ids["suspect"] = _user("Suspect").pk
    suspended = _user("Suspended")
    moderation.user_suspend(moderator=moderator, user_id=suspended.pk, reason="Spam.")
    world.ids["suspended"] = suspended.pk
    applicant = _user("Applicant")
    verification = verification_submit(
        user=applicant,
        legal_name="Yamada Haruka",
        document_type="passport",
        document_number="E12-345-6789",
        document_image=io.BytesIO(images.jpeg_with_gps()),
    )
    world.ids["verification"] = verification.pk
    world.private_files.append(VerificationRequest.objects.get(pk=verification.pk).document_path)


def world_build() -> World:
    """Every object of the matrix, through the real services (a few seconds)."""
    demo_rates()
    world = World()
    with TestCase.captureOnCommitCallbacks(execute=True):
        _people(world)
        _catalog(world)
        _orders(world)
        _reviews(world)
        _disputes(world)
        _messages(world)
        _money(world)
        _risk(world)
        _trust(world)
    world.ids["seller_user"] = world.users["seller"].pk
    world.ids["notification"] = Notification.objects.filter(user=world.users["seller"]).order_by("-created_at")[0].pk
    world.ids["seller_email"] = world.users["seller"].email
    world.ids["seller_currency"] = world.users["seller"].currency  # the seller's wallet
    return world
