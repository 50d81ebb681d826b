"""Issue 7, journey 2: staff at work in the browser. An identity reviewer approves a document a
seller uploaded on the verification page; an arbitrator decides a dispute the buyer opened from
the order page. Staff pages are in English (the staff's profile language), the seller's in
Japanese and the buyer's in Chinese."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from playwright.sync_api import expect

from shiji.accounts.services import staff_create
from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.core.money import Money
from shiji.disputes.models import Dispute
from shiji.disputes.states import DisputeReason, DisputeStatus, Outcome
from shiji.identity.states import VerificationStatus
from shiji.ledger.check import ledger_check
from shiji.orders.states import OrderStatus
from shiji.orders.tests.factories import listing_jp, order_placed, pay, seller_jp, ship
from shiji.web.tests.browser import steps
from shiji.web.tests.browser.steps import button, flash, in_language, status_badge
from shiji.web.tests.browser.support import PASSWORD, orm, tr

pytestmark = pytest.mark.django_db(transaction=True)

EN, JA, ZH = "en", "ja", "zh-hans"
SELLER = "hanako@example.jp"
BUYER = "xiaoming@example.cn"


def _seller() -> None:
    UserFactory(email=SELLER, display_name="花子", password=PASSWORD)  # Japan, pages in Japanese


def _staff(role: str) -> str:
    email = f"{role}@shiji.example"
    staff_create(email=email, password=PASSWORD, role=role, display_name=role.replace("_", " ").title())
    return email


def test_identity_reviewer_approves_an_uploaded_document(person: Any, shots: Any, tmp_path: Path) -> None:
    orm(_seller)
    reviewer_email = orm(_staff, "identity_reviewer")
    seller = person("ja-JP", "Asia/Tokyo")
    reviewer = person("en-GB", "Europe/London")

    # --- the seller uploads a passport photo --------------------------------------------------
    steps.sign_in(seller, SELLER)
    seller.goto("/verification/")
    in_language(seller, JA)
    expect(seller.get_by_role("heading", level=1)).to_have_text(tr(JA, "Identity verification"))
    expect(seller.locator("main")).to_contain_text(tr(JA, "Your verification level is %(level)s.", level=0))
    form = seller.locator("main form[enctype='multipart/form-data']")
    form.locator("input[name=legal_name]").fill("佐藤 花子")
    form.locator("select[name=document_type]").select_option("passport")
    form.locator("input[name=document_number]").fill("TK1234567")
    form.locator("input[name=document_image]").set_input_files(steps.photo(tmp_path, "passport.png"))
    shots(seller, "seller-verification-form")
    button(seller, JA, "Submit for review").click()
    expect(flash(seller)).to_contain_text(tr(JA, "Thank you. An identity reviewer will check your document soon."))
    facts = seller.locator("main dl.facts")
    expect(facts.locator(".badge")).to_have_text(tr(JA, VerificationStatus.PENDING.label))
    expect(facts).to_contain_text("···4567")  # only the last four characters are kept
    expect(form).to_have_count(0)
    shots(seller, "seller-verification-pending")

    # --- the reviewer finds it in the queue, looks at the document and approves ------------------
    steps.sign_in(reviewer, reviewer_email)
    reviewer.goto("/staff/")
    in_language(reviewer, EN)
    queue = reviewer.locator("article.card").filter(has_text="Identity documents")
    expect(queue).to_contain_text("1 waiting")
    queue.get_by_role("link").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Identity documents")
    row = reviewer.locator("main table tbody tr").filter(has_text="花子")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Pending review")
    shots(reviewer, "reviewer-queue")
    row.get_by_role("link").click()
    expect(reviewer.locator("dl.facts")).to_contain_text("佐藤 花子")  # the legal name, for staff only
    document = reviewer.get_by_role("img", name="Identity document submitted by the user")
    expect(document).to_have_js_property("complete", True)
    assert document.evaluate("img => img.naturalWidth") > 0, "the reviewer cannot see the document"
    shots(reviewer, "reviewer-document")
    reviewer.get_by_role("button", name="Approve", exact=True).click()
    expect(flash(reviewer)).to_contain_text("Decision recorded.")
    expect(reviewer.locator("main")).to_contain_text("Nothing in this queue.")
    shots(reviewer, "reviewer-queue-empty")

    # --- the seller sees the outcome in Japanese ----------------------------------------------
    seller.reload()
    expect(seller.locator("main")).to_contain_text(tr(JA, "Your verification level is %(level)s.", level=1))
    expect(facts.locator(".badge")).to_have_text(tr(JA, VerificationStatus.APPROVED.label))
    shots(seller, "seller-verified")


def _shipped_order() -> str:
    """A dress bought by a buyer in China, paid and shipped, made through the services."""
    seller = seller_jp(email=SELLER, display_name="花子", password=PASSWORD)  # identity verified
    buyer = chinese_buyer(email=BUYER, display_name="小明", password=PASSWORD)
    with transaction.atomic():
        order = order_placed(buyer=buyer, listing=listing_jp(seller))
    ship(pay(order))
    return str(order.pk)


def test_arbitrator_decides_a_dispute_the_buyer_opened(person: Any, shots: Any) -> None:
    order_id = orm(_shipped_order)
    arbitrator_email = orm(_staff, "arbitrator")
    buyer = person("zh-CN", "Asia/Shanghai")
    seller = person("ja-JP", "Asia/Tokyo")
    arbitrator = person("en-US", "America/New_York")

    # --- the buyer opens a dispute from the order page ----------------------------------------
    steps.sign_in(buyer, BUYER)
    buyer.goto(f"/orders/{order_id}/")
    in_language(buyer, ZH)
    expect(status_badge(buyer)).to_have_text(tr(ZH, OrderStatus.SHIPPED.label))
    panel = buyer.locator("section").filter(has=buyer.get_by_role("heading", name=tr(ZH, "A problem with this order?")))
    panel.locator("summary").click()
    panel.locator("select[name=reason]").select_option(DisputeReason.NOT_AS_DESCRIBED.value)
    panel.locator("textarea[name=description]").fill("照片里是红色的花，收到的是褪色的，袖口还有破洞。")
    shots(buyer, "buyer-dispute-form")
    panel.get_by_role("button", name=tr(ZH, "Open the dispute")).click()
    buyer.wait_for_url(re.compile(r"/disputes/[^/]+/$"))
    dispute_url = buyer.url
    expect(flash(buyer)).to_contain_text(tr(ZH, "Your dispute is open. The seller has been asked to answer."))
    expect(status_badge(buyer)).to_have_text(tr(ZH, DisputeStatus.OPEN.label))
    shots(buyer, "buyer-dispute-open")

    # --- the seller offers a partial refund from the order page's link ------------------------
    steps.sign_in(seller, SELLER)
    seller.goto(f"/orders/{order_id}/")
    in_language(seller, JA)
    expect(status_badge(seller)).to_have_text(tr(JA, OrderStatus.DISPUTED.label))
    seller.get_by_role("link", name=tr(JA, "See the dispute")).click()
    expect(seller.locator("main")).to_contain_text("袖口还有破洞")
    seller.locator("input[name=refund]").fill("50.00")
    button(seller, JA, "Send the offer").click()
    expect(flash(seller)).to_contain_text(tr(JA, "Your offer was sent to the buyer."))
    expect(status_badge(seller)).to_have_text(tr(JA, DisputeStatus.OFFERED.label))
    shots(seller, "seller-offer-sent")

    # --- the buyer turns it down and asks an arbitrator -----------------------------------------
    buyer.reload()
    expect(buyer.locator("main")).to_contain_text(Money.from_decimal("50.00", "CNY").format(ZH))
    button(buyer, ZH, "Ask an arbitrator to decide").click()
    expect(flash(buyer)).to_contain_text(tr(ZH, "An arbitrator will decide."))
    expect(status_badge(buyer)).to_have_text(tr(ZH, DisputeStatus.ESCALATED.label))
    shots(buyer, "buyer-escalated")

    # --- the arbitrator decides from the queue, with a reason -----------------------------------
    steps.sign_in(arbitrator, arbitrator_email)
    arbitrator.goto("/staff/")
    in_language(arbitrator, EN)
    queue = arbitrator.locator("article.card").filter(has_text="Disputes to decide")
    expect(queue).to_contain_text("1 waiting")
    queue.get_by_role("link").click()
    row = arbitrator.locator("main table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Not as described")
    expect(row).to_contain_text("Buyer")  # who escalated
    shots(arbitrator, "arbitrator-queue")
    row.get_by_role("link").click()
    expect(arbitrator.locator("main")).to_contain_text("You are the arbitrator.")
    arbitrator.get_by_label(str(Outcome.REFUND_FULL.label)).check()
    reason = "The photos show fading and a torn cuff that the listing did not mention: full refund."
    arbitrator.locator("textarea[name=reason]").fill(reason)
    shots(arbitrator, "arbitrator-decision-form")
    arbitrator.get_by_role("button", name="Record the decision").click()
    expect(flash(arbitrator)).to_contain_text("Decided. Both sides have been told.")
    expect(arbitrator.locator("main")).to_contain_text("Nothing in this queue.")

    # --- both sides see the outcome, each in their language -----------------------------------
    def decided() -> tuple[str, str, int, int]:
        dispute = Dispute.objects.select_related("order").get(order_id=order_id)
        return dispute.status, dispute.order.status, dispute.refund_minor or 0, dispute.order.total_minor

    status, order_status, refund, total = orm(decided)
    assert (status, order_status) == (DisputeStatus.DECIDED, OrderStatus.REFUNDED)
    assert 0 < refund <= total  # what escrow still held (the postage was paid to the carrier)
    for page, language, name in ((buyer, ZH, "buyer"), (seller, JA, "seller")):
        page.goto(dispute_url)
        expect(status_badge(page)).to_have_text(tr(language, DisputeStatus.DECIDED.label))
        outcome = page.locator("section").filter(has=page.get_by_role("heading", name=tr(language, "Decision")))
        expect(outcome).to_contain_text(tr(language, Outcome.REFUND_FULL.label))
        expect(outcome).to_contain_text(
            tr(language, "%(amount)s refunded to the buyer", amount=Money(refund, "CNY").format(language))
        )
        expect(outcome).to_contain_text(reason)
        shots(page, f"{name}-decision")
    buyer.goto(f"/orders/{order_id}/")
    expect(status_badge(buyer)).to_have_text(tr(ZH, OrderStatus.REFUNDED.label))
    expect(steps.costs_row(buyer, ZH, "Refunded").locator("td")).to_have_text(f"−{Money(refund, 'CNY').format(ZH)}")
    shots(buyer, "buyer-order-refunded")
    assert orm(lambda: ledger_check().balanced)
