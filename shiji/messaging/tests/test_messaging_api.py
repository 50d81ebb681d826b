"""Messages over the API (API.md "Trust"): inquiries about a listing, order threads, my
conversations with unread counts; who may read and write; redaction, risk, rate limits,
moderation and notifications."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shiji.accounts.models import User
from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.catalog.tests.factories import demo_rates, draft
from shiji.core.errors import Forbidden, NotFound
from shiji.core.models import AuditEvent
from shiji.messaging import selectors, services
from shiji.messaging.models import Conversation, Message
from shiji.notifications.models import Notification
from shiji.orders.tests.factories import listing_jp, order_placed, seller_jp
from shiji.risk.engine import RiskAction, Verdict

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


@pytest.fixture(autouse=True)
def _rates() -> None:
    demo_rates()


def _ask(client: Any, listing_id: str, text: str) -> Any:
    return client.post(f"/listings/{listing_id}/inquiries", {"text": text})


def _inquiry(buyer: User, listing: Any, text: str = "还有货吗？") -> Conversation:
    return services.inquiry_start(buyer=buyer, listing_id=listing.pk, text=text).conversation


# --- inquiries ---------------------------------------------------------------------------------


def test_a_buyer_asks_and_only_the_redacted_text_is_stored(api_as: Any) -> None:
    buyer, listing = chinese_buyer(), listing_jp()
    response = _ask(api_as(buyer), listing.pk, f"能便宜点吗？我的手机是{PHONE}，加微信 xiaoming_88 聊")
    assert response.status_code == 201, response.content
    body = response.json()
    message = body["message"]
    assert PHONE not in message["text"] and "xiaoming_88" not in message["text"]
    assert message["text"].startswith("能便宜点吗？")
    assert message["redacted"] is True and message["hidden"] is False
    assert message["sender"] == {"id": buyer.pk, "display_name": buyer.display_name}
    assert body["warning"]  # the sender is told, in their language
    assert body["conversation"]["kind"] == "inquiry"
    assert body["conversation"]["listing"]["id"] == listing.pk
    assert body["conversation"]["other_party"]["id"] == listing.seller_id
    stored = Message.objects.get()
    assert PHONE not in stored.text and "xiaoming_88" not in stored.text
    assert stored.redacted_kinds == ["phone", "wechat"]


def test_an_ordinary_question_is_kept_as_written_without_warning(api_as: Any) -> None:
    text = "Is the M size (26.5cm) still ¥1,200? I can pay on 11/21."
    body = _ask(api_as(chinese_buyer()), listing_jp().pk, text).json()
    assert body["message"]["text"] == text
    assert body["message"]["redacted"] is False
    assert body["warning"] is None


def test_asking_again_reuses_the_conversation(api_as: Any) -> None:
    buyer, listing = chinese_buyer(), listing_jp()
    client = api_as(buyer)
    first = _ask(client, listing.pk, "Hello?").json()
    second = _ask(client, listing.pk, "Still there?").json()
    assert first["conversation"]["id"] == second["conversation"]["id"]
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 2


def test_nobody_asks_about_their_own_or_a_hidden_listing(api_as: Any) -> None:
    seller = seller_jp()
    listing = listing_jp(seller)
    response = _ask(api_as(seller), listing.pk, "hello me")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "own_listing"
    unpublished = draft(seller)
    assert _ask(api_as(chinese_buyer()), unpublished.pk, "hi").status_code == 404
    assert _ask(api_as(chinese_buyer()), "lst_nope", "hi").status_code == 404
    assert not Conversation.objects.exists()


def test_a_suspended_buyer_cannot_start_but_can_continue(api_as: Any) -> None:
    buyer, listing, other = chinese_buyer(), listing_jp(), listing_jp()
    _inquiry(buyer, listing)
    User.objects.filter(pk=buyer.pk).update(suspended_at=timezone.now(), suspension_reason="spam")
    buyer.refresh_from_db()
    client = api_as(buyer)
    refused = _ask(client, other.pk, "hi")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "account_suspended"
    assert _ask(client, listing.pk, "one more question").status_code == 201
    assert Conversation.objects.count() == 1


@pytest.mark.parametrize("text", ["", "   \n ", "x" * (services.MAX_LENGTH + 1)])
def test_empty_or_too_long_text_is_refused_and_nothing_is_stored(api_as: Any, text: str) -> None:
    response = _ask(api_as(chinese_buyer()), listing_jp().pk, text)
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid" and "text" in body["fields"]
    assert not Conversation.objects.exists() and not Message.objects.exists()


def test_signed_out_gets_401(api: Any) -> None:
    assert _ask(api, listing_jp().pk, "hi").status_code == 401
    assert api.get("/me/conversations").status_code == 401


# --- conversations and unread counts -------------------------------------------------------------


def test_the_seller_sees_the_question_unread_until_reading_it(api_as: Any) -> None:
    buyer, seller = chinese_buyer(), seller_jp()
    listing = listing_jp(seller)
    conversation = _inquiry(buyer, listing, "first")
    services.message_send(sender=buyer, conversation_id=conversation.pk, text="second")
    seller_client = api_as(seller)
    items = seller_client.get("/me/conversations").json()["items"]
    assert [(c["id"], c["unread"]) for c in items] == [(conversation.pk, 2)]
    assert items[0]["last_message"] == "second"
    assert items[0]["other_party"] == {"id": buyer.pk, "display_name": buyer.display_name}
    # the buyer's own messages are never unread for them
    assert api_as(buyer).get("/me/conversations").json()["items"][0]["unread"] == 0

    thread = seller_client.get(f"/conversations/{conversation.pk}/messages").json()
    assert [m["text"] for m in thread["items"]] == ["second", "first"]  # newest first
    assert seller_client.get("/me/conversations").json()["items"][0]["unread"] == 0

    reply = seller_client.post(f"/conversations/{conversation.pk}/messages", {"text": "はい、あります"})
    assert reply.status_code == 201
    assert reply.json()["warning"] is None
    assert api_as(buyer).get("/me/conversations").json()["items"][0]["unread"] == 1


def test_strangers_get_404_for_someone_elses_conversation(api_as: Any) -> None:
    conversation = _inquiry(chinese_buyer(), listing_jp())
    stranger = api_as(chinese_buyer())
    assert stranger.get(f"/conversations/{conversation.pk}/messages").status_code == 404
    response = stranger.post(f"/conversations/{conversation.pk}/messages", {"text": "hi"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert stranger.get("/me/conversations").json()["items"] == []
    # an arbitrator reads order threads only, not inquiries
    arbitrator = api_as(UserFactory(roles=["arbitrator"]))
    assert arbitrator.get(f"/conversations/{conversation.pk}/messages").status_code == 404
    assert Message.objects.count() == 1


def test_lists_page_with_cursors(api_as: Any) -> None:
    buyer, seller = chinese_buyer(), seller_jp()
    conversation = _inquiry(buyer, listing_jp(seller), "m0")
    for i in range(1, 5):
        services.message_send(sender=buyer, conversation_id=conversation.pk, text=f"m{i}")
    for i in range(2):
        _inquiry(buyer, listing_jp(seller), f"other {i}")
    client = api_as(seller)
    seen: list[str] = []
    cursor = None
    while True:
        page = client.get(
            f"/conversations/{conversation.pk}/messages", {"limit": 2, **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [m["text"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["m4", "m3", "m2", "m1", "m0"]

    ids: list[str] = []
    cursor = None
    while True:
        page = client.get("/me/conversations", {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        ids += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(ids) == 3 and len(set(ids)) == 3
    assert client.get("/me/conversations", {"cursor": "%%%"}).status_code == 422
    assert client.get("/me/conversations", {"limit": 0}).status_code == 422


def test_my_conversations_takes_the_same_queries_for_one_or_many(api_as: Any) -> None:
    seller = seller_jp()
    _inquiry(chinese_buyer(), listing_jp(seller))
    client = api_as(seller)
    client.get("/me/conversations")
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/me/conversations").json()["items"]) == 1
    for _ in range(4):
        _inquiry(chinese_buyer(), listing_jp(seller))
    with CaptureQueriesContext(connection) as five:
        assert len(client.get("/me/conversations").json()["items"]) == 5
    assert len(five.captured_queries) == len(one.captured_queries)


# --- order threads -------------------------------------------------------------------------------


def test_buyer_and_seller_write_about_their_order(api_as: Any) -> None:
    order = order_placed()
    buyer, seller = order.buyer, order.seller
    assert api_as(seller).get(f"/orders/{order.pk}/messages").json() == {"items": [], "next_cursor": None}
    sent = api_as(buyer).post(f"/orders/{order.pk}/messages", {"text": "请用纸箱包装，谢谢"})
    assert sent.status_code == 201, sent.content
    assert sent.json()["text"] == "请用纸箱包装，谢谢"
    answer = api_as(seller).post(f"/orders/{order.pk}/messages", {"text": "承知しました。電話 090-1234-5678"})
    assert answer.status_code == 201
    assert "1234-5678" not in answer.json()["text"] and answer.json()["warning"]
    texts = [m["text"] for m in api_as(buyer).get(f"/orders/{order.pk}/messages").json()["items"]]
    assert texts[1] == "请用纸箱包装，谢谢" and "5678" not in texts[0]
    conversation = Conversation.objects.get()
    assert conversation.order_id == order.pk and conversation.kind == "order"
    # the same thread is also reachable as a conversation
    assert api_as(buyer).get(f"/conversations/{conversation.pk}/messages").status_code == 200


def test_order_thread_access(api_as: Any) -> None:
    order = order_placed()
    services.order_message_send(sender=order.buyer, order_id=order.pk, text="hello")
    stranger = api_as(chinese_buyer())
    assert stranger.get(f"/orders/{order.pk}/messages").status_code == 404
    assert stranger.post(f"/orders/{order.pk}/messages", {"text": "hi"}).status_code == 404
    finance = api_as(UserFactory(roles=["finance"]))
    assert finance.get(f"/orders/{order.pk}/messages").status_code == 404

    arbitrator_user = UserFactory(roles=["arbitrator"])
    arbitrator = api_as(arbitrator_user)
    read = arbitrator.get(f"/orders/{order.pk}/messages")
    assert read.status_code == 200 and [m["text"] for m in read.json()["items"]] == ["hello"]
    assert AuditEvent.objects.filter(action="messaging.thread_viewed_by_staff", actor=arbitrator_user).count() == 1
    # staff read; they do not write in the parties' thread
    assert arbitrator.post(f"/orders/{order.pk}/messages", {"text": "hi"}).status_code == 404
    assert Message.objects.count() == 1


# --- risk, rate limits, notifications ------------------------------------------------------------


def test_the_risk_engine_sees_the_kinds_and_a_block_withholds_the_message(api_as: Any, monkeypatch: Any) -> None:
    calls: list[dict[str, Any]] = []

    def block(point: Any, **kwargs: Any) -> Verdict:
        calls.append({"point": point, **kwargs})
        return Verdict(action=RiskAction.BLOCK, rules=("contact",))

    monkeypatch.setattr(services, "risk_evaluate", block)
    buyer, seller = chinese_buyer(), seller_jp()
    response = _ask(api_as(buyer), listing_jp(seller).pk, f"call {PHONE}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "risk_blocked"
    (call,) = calls
    assert call["point"] == "message_send"
    assert call["inputs"]["contact_kinds"] == ["phone"]
    assert call["inputs"]["length"] == len(f"call {PHONE}")
    assert call["user"] == buyer and isinstance(call["subject"], Message)
    # kept (redacted) for the risk decision that points at it, delivered to nobody
    withheld = Message.objects.get()
    assert withheld.withheld_at is not None and PHONE not in withheld.text
    assert api_as(seller).get("/me/conversations").json()["items"] == []
    assert not Notification.objects.filter(user=seller).exists()


def test_a_warn_verdict_warns_even_without_redaction(api_as: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "risk_evaluate", lambda point, **kw: Verdict(action=RiskAction.WARN))
    body = _ask(api_as(chinese_buyer()), listing_jp().pk, "hello").json()
    assert body["warning"]


def test_sending_is_rate_limited(api_as: Any, settings: Any) -> None:
    settings.SHIJI_RATE_LIMITS = True
    buyer = chinese_buyer()
    conversation = _inquiry(buyer, listing_jp())  # one hit
    client = api_as(buyer)
    for i in range(services.SENDS_PER_MINUTE - 1):
        assert client.post(f"/conversations/{conversation.pk}/messages", {"text": f"m{i}"}).status_code == 201
    refused = client.post(f"/conversations/{conversation.pk}/messages", {"text": "one too many"})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert Message.objects.count() == services.SENDS_PER_MINUTE


def test_the_other_party_is_told_once_per_unread_burst_without_contact_details(api_as: Any) -> None:
    buyer, seller = chinese_buyer(), seller_jp()
    conversation = _inquiry(buyer, listing_jp(seller), f"请问能寄到上海吗？电话{PHONE}")
    services.message_send(sender=buyer, conversation_id=conversation.pk, text="还有一个问题")
    notes = Notification.objects.filter(user=seller, kind="message.received")
    assert notes.count() == 1
    note = notes.get()
    assert note.subject_type == "conversation" and note.subject_id == conversation.pk
    assert note.data["sender"] == buyer.display_name and PHONE not in note.data["excerpt"]
    assert all(PHONE not in m.body for m in mail.outbox)
    # once the seller has read the thread, the next message is news again
    api_as(seller).get(f"/conversations/{conversation.pk}/messages")
    services.message_send(sender=buyer, conversation_id=conversation.pk, text="在吗")
    assert notes.count() == 2
    assert not Notification.objects.filter(user=buyer, kind="message.received").exists()


def test_order_messages_notify_with_the_order_as_subject() -> None:
    order = order_placed()
    services.order_message_send(sender=order.seller, order_id=order.pk, text="Shipping tomorrow")
    note = Notification.objects.get(user=order.buyer, kind="message.received")
    assert (note.subject_type, note.subject_id) == ("order", order.pk)


# --- moderation and reports ----------------------------------------------------------------------


def test_a_moderator_hides_a_message_and_participants_see_that(api_as: Any) -> None:
    buyer, seller = chinese_buyer(), seller_jp()
    conversation = _inquiry(buyer, listing_jp(seller), "something rude")
    message = Message.objects.get()
    with pytest.raises(Forbidden):
        services.message_hide(moderator=seller, message_id=message.pk, reason="no")
    moderator = UserFactory(roles=["moderator"])
    services.message_hide(moderator=moderator, message_id=message.pk, reason="abuse")
    services.message_hide(moderator=moderator, message_id=message.pk, reason="again")  # no-op
    message.refresh_from_db()
    assert message.hidden_by == moderator and message.hidden_reason == "abuse"
    assert AuditEvent.objects.filter(action="message.hidden", target_id=message.pk).count() == 1
    for user in (buyer, seller):
        (item,) = api_as(user).get(f"/conversations/{conversation.pk}/messages").json()["items"]
        assert item["hidden"] is True and "rude" not in item["text"]
    assert "rude" not in api_as(seller).get("/me/conversations").json()["items"][0]["last_message"]
    with pytest.raises(NotFound):
        services.message_hide(moderator=moderator, message_id="msg_nope", reason="x")


def test_only_participants_can_report_a_message() -> None:
    buyer, seller = chinese_buyer(), seller_jp()
    _inquiry(buyer, listing_jp(seller), "hello")
    message = Message.objects.get()
    assert selectors.message_for_report(user=seller, message_id=message.pk) == message
    assert selectors.message_for_report(user=buyer, message_id=message.pk) == message
    with pytest.raises(NotFound):
        selectors.message_for_report(user=chinese_buyer(), message_id=message.pk)
    with pytest.raises(NotFound):
        selectors.message_for_report(user=seller, message_id="msg_nope")
