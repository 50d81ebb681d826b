"""What happens in a dispute (docs/domains/disputes.md). Each change locks the dispute row, then
(when money moves) the order row through ``shiji.orders.flow``, always in that order; the
dispute's conditional transition and the ledger's unique entry keys make every money outcome
happen exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shiji.accounts.models import User
from shiji.accounts.roles import Role, require_role
from shiji.core.audit import audit_record
from shiji.core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from shiji.core.images import image_clean
from shiji.core.money import Money
from shiji.core.notes import system_note
from shiji.core.states import transition
from shiji.disputes.errors import DisputeClosed, DisputeExists, OutsideWindow
from shiji.disputes.models import Dispute, DisputeEvent, DisputeMessage, Evidence
from shiji.disputes.selectors import access_dispute, disputes_due, party_of
from shiji.disputes.states import (
    CLOSED_STATUSES,
    ESCALATABLE_STATUSES,
    OFFERABLE_STATUSES,
    TRANSITIONS,
    WITHDRAWABLE_STATUSES,
    DisputeReason,
    DisputeStatus,
    Outcome,
)
from shiji.messaging.redaction import redact
from shiji.notifications.services import notify
from shiji.orders import flow
from shiji.orders.models import Order

TEXT_MAX = 4000
EVIDENCE_PER_PERSON = 20


# --- settings (config/settings/base.py, documented in the README) ------------------------------


def answer_days() -> int:
    return int(settings.SHIJI_DISPUTE_ANSWER_DAYS)


def window_days() -> int:
    return int(settings.SHIJI_DISPUTE_WINDOW_DAYS)


def not_received_grace_days() -> int:
    return int(settings.SHIJI_DISPUTE_NOT_RECEIVED_GRACE_DAYS)


def return_confirm_days() -> int:
    return int(settings.SHIJI_DISPUTE_RETURN_CONFIRM_DAYS)


def decision_days() -> int:
    return int(settings.SHIJI_DISPUTE_DECISION_DAYS)


# --- helpers ---------------------------------------------------------------------------------


def _lock(dispute_id: str) -> Dispute:
    return Dispute.objects.select_for_update().get(pk=dispute_id)


def _move(dispute: Dispute, to: str, *, actor: Any = None, note: str = "", **updates: Any) -> None:
    transition(
        dispute, to=to, table=TRANSITIONS, event_model=DisputeEvent, actor=actor, note=note[:1000], updates=updates
    )


def _redact(text: str) -> tuple[str, list[str]]:
    """Contact details out of what the other side reads (``shiji.messaging.redaction``)."""
    result = redact(text)
    return result.text, list(result.kinds)


def _item(order: Order) -> str:
    titles: dict[str, str] = order.listing.title or {}
    return (titles.get(order.listing.original_language) or next(iter(titles.values()), ""))[:120]


def _tell(dispute: Dispute, event: str, *roles: str, **data: Any) -> None:
    """Notify each of ``roles`` (``buyer``, ``seller``) of ``event``. The order is read again, with
    its listing, as the change may just have moved it."""
    dispute.order = order = Order.objects.select_related("listing").get(pk=dispute.order_id)
    for role in roles:
        notify(
            user_id=dispute.buyer_id if role == "buyer" else dispute.seller_id,
            kind=f"dispute.{event}.{role}",
            subject_type="dispute",
            subject_id=dispute.pk,
            data={"item": _item(order), "order": order.pk, **data},
        )


def _require_party(dispute: Dispute, user: User, *roles: str) -> str:
    party = party_of(dispute, user)
    if party is None:
        raise NotFound(_("No such dispute."))
    if party not in roles:
        if roles == ("buyer",):
            raise Forbidden(_("Only the buyer can do this."))
        if roles == ("seller",):
            raise Forbidden(_("Only the seller can do this."))
        raise Forbidden(_("Only the buyer or the seller can do this."))
    return party


def _check_text(errors: dict[str, list[str]], field: str, text: str, *, missing: str) -> None:
    """A required text of at most TEXT_MAX characters (already stripped)."""
    if not text:
        errors[field] = [missing]
    elif len(text) > TEXT_MAX:
        errors[field] = [_("At most %(n)s characters.") % {"n": TEXT_MAX}]


def _money_in(dispute: Dispute, amount: Money, field: str) -> None:
    if amount.currency != dispute.currency:
        raise InvalidInput(
            _("Amounts are in the currency the buyer paid: %(currency)s.") % {"currency": dispute.currency},
            fields={field: [_("Use %(currency)s.") % {"currency": dispute.currency}]},
        )


def held(dispute: Dispute, *, lock: bool = False) -> Money:
    """What the order still holds in escrow (the most any refund can be). ``lock`` takes the
    order's row lock first (after the dispute's, as everywhere), so no failed refund can change
    the amount between reading it and moving it."""
    order = Order.objects.only("captured_minor", "refunded_minor", "remitted_minor", "released_minor", "currency")
    found = (order.select_for_update() if lock else order).get(pk=dispute.order_id)
    return Money(found.escrow_expected_minor, found.currency)


def outcome_for(refund: Money | None, held_before: Money) -> str:
    if refund is None:
        return Outcome.RELEASE
    return Outcome.REFUND_FULL if refund.minor >= held_before.minor else Outcome.REFUND_PARTIAL


# --- opening ---------------------------------------------------------------------------------


def transit_days_max(order: Order) -> int:
    """The longest transit the buyer was quoted for the service the parcel went with (zone
    overrides included), else the service's own estimate."""
    for option in order.quote.options or []:
        if option.get("carrier_service") == order.carrier_service:
            days = (option.get("transit_days") or {}).get("max")
            if isinstance(days, int):
                return days
    from shiji.shipping.models import CarrierService

    service = CarrierService.objects.filter(code=order.carrier_service).first()
    return service.transit_days_max if service else 30


def not_received_opens_at(order: Order) -> datetime | None:
    if order.shipped_at is None:
        return None
    return order.shipped_at + timedelta(days=transit_days_max(order) + not_received_grace_days())


def window_check(order: Order, reason: str, now: datetime) -> None:
    """Between shipping and WINDOW_DAYS after delivery; ``not_received`` before delivery only
    once the carrier's transit estimate + the grace days have passed."""
    if order.delivered_at is not None:
        if now > order.delivered_at + timedelta(days=window_days()):
            raise OutsideWindow(
                _("Disputes can be opened until %(days)s days after delivery.") % {"days": window_days()}
            )
        return
    if reason == DisputeReason.NOT_RECEIVED:
        opens = not_received_opens_at(order)
        if opens is None or now < opens:
            raise OutsideWindow(
                _("The parcel may still be on its way. You can report it as not received from %(date)s.")
                % {"date": opens.strftime("%Y-%m-%d") if opens else "—"}
            )


def dispute_open(*, buyer: User, order_id: str, reason: str, description: str) -> Dispute:
    """The buyer opens a dispute; the order stops (no confirmation, no auto-completion) and the
    seller has ANSWER_DAYS to answer."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or buyer.pk not in (order.buyer_id, order.seller_id):
        raise NotFound(_("No such order."))
    if buyer.pk != order.buyer_id:
        raise Forbidden(_("Only the buyer can open a dispute."))
    errors: dict[str, list[str]] = {}
    if reason not in DisputeReason.values:
        errors["reason"] = [_("Choose one of: %(reasons)s.") % {"reasons": ", ".join(DisputeReason.values)}]
    description = (description or "").strip()
    _check_text(errors, "description", description, missing=_("Describe what is wrong."))
    if errors:
        raise InvalidInput(_("Please correct the dispute."), fields=errors)
    if Dispute.objects.filter(order_id=order_id).exists():
        raise DisputeExists()
    now = timezone.now()
    text, _kinds = _redact(description)
    with transaction.atomic():
        order = flow.order_dispute_open(
            order_id=order_id,
            actor=buyer,
            note=system_note(gettext_noop("Dispute opened: %(reason)s."), reason=DisputeReason(reason).label),
            check=lambda locked: window_check(locked, reason, now),
        )
        due = now + timedelta(days=answer_days())
        dispute = Dispute.objects.create(
            order=order,
            buyer_id=order.buyer_id,
            seller_id=order.seller_id,
            reason=reason,
            description=text,
            currency=order.currency,
            created_at=now,
            answer_due_at=due,
            deadline_at=due,
        )
        DisputeEvent.objects.create(subject=dispute, actor=buyer, from_state="", to_state=DisputeStatus.OPEN)
        _tell(dispute, "opened", "seller", reason=str(DisputeReason(reason).label), days=answer_days())
    return dispute


# --- the thread and its evidence -------------------------------------------------------------


def _seller_answered(dispute: Dispute, now: datetime) -> dict[str, Any]:
    """The silence clock stops at the seller's first answer."""
    if dispute.seller_answered_at is not None:
        return {}
    updates: dict[str, Any] = {"seller_answered_at": now}
    if dispute.status == DisputeStatus.OPEN:
        updates["deadline_at"] = None
    return updates


def evidence_upload(*, user: User, dispute_id: str, upload: IO[bytes] | bytes) -> Evidence:
    """A photo for the thread: cleaned (EXIF and GPS stripped), stored privately; it becomes
    visible to the other side once sent with a message."""
    dispute = access_dispute(user=user, dispute_id=dispute_id)
    if dispute.status in CLOSED_STATUSES:
        raise DisputeClosed()
    if Evidence.objects.filter(dispute=dispute, uploaded_by=user).count() >= EVIDENCE_PER_PERSON:
        raise InvalidInput(
            _("At most %(n)s photos per person.") % {"n": EVIDENCE_PER_PERSON},
            fields={"image": [_("Too many photos.")]},
        )
    clean = image_clean(upload, field="image", max_side=2000)
    evidence = Evidence(dispute=dispute, uploaded_by=user, width=clean.width, height=clean.height)
    evidence.image.save(f"{evidence.pk}.{clean.extension}", ContentFile(clean.content), save=False)
    try:
        evidence.save(force_insert=True)
    except Exception:
        evidence.image.delete(save=False)
        raise
    return evidence


def dispute_message(*, user: User, dispute_id: str, text: str, attachments: Sequence[str] = ()) -> DisputeMessage:
    """Parties and arbitrators write in the thread (contact details redacted); a message from the
    seller counts as their answer."""
    dispute = access_dispute(user=user, dispute_id=dispute_id)
    role = party_of(dispute, user) or ""
    text = (text or "").strip()
    attachments = list(dict.fromkeys(attachments))
    if not text and not attachments:
        raise InvalidInput(_("Write a message or attach a photo."), fields={"text": [_("Required.")]})
    if len(text) > TEXT_MAX:
        raise InvalidInput(
            _("The message is too long."), fields={"text": [_("At most %(n)s characters.") % {"n": TEXT_MAX}]}
        )
    redacted, kinds = _redact(text)
    now = timezone.now()
    with transaction.atomic():
        dispute = _lock(dispute.pk)
        if dispute.status in CLOSED_STATUSES:
            raise DisputeClosed()
        photos = list(
            Evidence.objects.select_for_update().filter(
                pk__in=attachments, dispute=dispute, uploaded_by=user, message__isnull=True
            )
        )
        if len(photos) != len(attachments):
            raise InvalidInput(
                _("Attach only photos you uploaded to this dispute and have not sent yet."),
                fields={"attachments": [_("Unknown photo.")]},
            )
        message = DisputeMessage.objects.create(
            dispute=dispute, author=user, role=role, text=redacted, redacted=kinds, created_at=now
        )
        Evidence.objects.filter(pk__in=[p.pk for p in photos]).update(message=message)
        if role == "seller":
            updates = _seller_answered(dispute, now)
            if updates:
                Dispute.objects.filter(pk=dispute.pk).update(**updates)
    return message


# --- the seller's offer, the buyer's answer, the return --------------------------------------


def dispute_offer(*, user: User, dispute_id: str, refund: Money, return_required: bool) -> Dispute:
    """The seller offers a partial or full refund, with or without the item coming back."""
    dispute = access_dispute(user=user, dispute_id=dispute_id)
    _require_party(dispute, user, "seller")
    _money_in(dispute, refund, "refund")
    with transaction.atomic():
        dispute = _lock(dispute.pk)
        if dispute.status not in OFFERABLE_STATUSES:
            raise InvalidState(_("An offer can be made only while the dispute is open."))
        most = held(dispute, lock=True)
        if refund.minor <= 0 or refund.minor > most.minor:
            raise InvalidInput(
                _("The refund must be more than zero and at most %(held)s.") % {"held": most},
                fields={"refund": [_("At most %(held)s.") % {"held": most.amount_str()}]},
            )
        if dispute.status == DisputeStatus.OFFERED and dispute.offer_refund_minor is not None:
            # The buyer may be accepting the standing offer right now: a new one can only be better
            # for them (more money, no return newly asked), so an accept never binds to worse terms.
            previous = Money(dispute.offer_refund_minor, dispute.currency)
            if refund.minor < previous.minor or (return_required and not dispute.offer_return_required):
                raise InvalidInput(
                    _("A new offer can only improve on the last one (%(amount)s).") % {"amount": previous},
                    fields={"refund": [_("At least %(amount)s.") % {"amount": previous.amount_str()}]},
                )
        now = timezone.now()
        _move(
            dispute,
            DisputeStatus.OFFERED,
            actor=user,
            note=system_note(
                gettext_noop("Offer: refund %(amount)s%(ret)s."),
                amount=str(refund),
                ret=gettext_noop(", item returned first") if return_required else "",
            ),
            offer_refund_minor=refund.minor,
            offer_return_required=return_required,
            offered_at=now,
            **{**_seller_answered(dispute, now), "deadline_at": None},
        )
        _tell(dispute, "offered", "buyer", amount=str(refund))
    return dispute


def _settle(dispute: Dispute, *, to: str, refund: Money | None, actor: Any, note: str, **updates: Any) -> None:
    """Move the (locked) dispute to its terminal state and the order's money with it, in one
    transaction."""
    before = held(dispute, lock=True)
    outcome = outcome_for(refund, before)
    _move(
        dispute,
        to,
        actor=actor,
        note=note,
        outcome=outcome,
        refund_minor=refund.minor if refund is not None else None,
        resolution_reason=note,
        resolved_at=timezone.now(),
        deadline_at=None,
        **updates,
    )
    flow.order_dispute_settle(order_id=dispute.order_id, refund=refund, actor=actor, note=note)


def dispute_accept(*, user: User, dispute_id: str) -> Dispute:
    """The buyer accepts the offer: refunded now, or once the item is back when the seller asked
    for it."""
    dispute = access_dispute(user=user, dispute_id=dispute_id)
    _require_party(dispute, user, "buyer")
    with transaction.atomic():
        dispute = _lock(dispute.pk)
        if dispute.status != DisputeStatus.OFFERED or dispute.offer_refund_minor is None:
            raise InvalidState(_("There is no offer to accept."))
        refund = Money(dispute.offer_refund_minor, dispute.currency)
        if dispute.offer_return_required:
            _move(
                dispute,
                DisputeStatus.RETURN_PENDING,
                actor=user,
                note=system_note(gettext_noop("Offer accepted; the item goes back.")),
            )
            _tell(dispute, "accepted_return", "seller", amount=str(refund))
        else:
            _settle(
                dispute,
                to=DisputeStatus.SETTLED,
                refund=refund,
                actor=user,
                note=system_note(
                    gettext_noop("The buyer accepted the seller's offer of %(amount)s."), amount=str(refund)
                ),
            )
            _tell(dispute, "accepted", "seller", amount=str(refund))
    return dispute


def dispute_return_ship(*, user: User, dispute_id: str, carrier: str, tracking_number: str) -> Dispute:
    """The buyer sends the item back and says with whom; the seller has RETURN_CONFIRM_DAYS to
    confirm receipt, after which the refund goes out by itself."""
    dispute = access_dispute(user=user, dispute_id=dispute_id)
    _require_party(dispute, user, "buyer")
    carrier, tracking_number = (carrier or "").strip(), (tracking_number or "").strip()
    errors: dict[str, list[str]] = {}
    if not carrier or len(carrier) > 60:
        errors["carrier"] = [_("Name the carrier (at most 60 characters).")]
    if not tracking_number or len(tracking_number) > 60:
        errors["tracking_number"] = [_("Give the tracking number (at most 60 characters).")]
    if errors:
        raise InvalidInput(_("Please correct the return shipment."), fields=errors)
    with transaction.atomic():
        dispute = _lock(dispute.pk)
        if dispute.status != DisputeStatus.RETURN_PENDING:
            raise InvalidState(_("No return is expected for this dispute."))
        now = timezone.now()
        _move(
            dispute,
            DisputeStatus.RETURN_SHIPPED,
            actor=user,
            note=f"{carrier} {tracking_number}",
            return_carrier=carrier,
            return_tracking_number=tracking_number,
            return_shipped_at=now,
            deadline_at=now + timedelta(days=return_confirm_days()),
        )
        _tell(dispute, "return_shipped", "seller", tracking=tracking_number, days=return_confirm_days())
    return dispute


def dispute_return_received(*, user: User, dispute_id: str) -> Dispute:
    """The seller has the item back: the offered refund goes out, the rest is released."""
    dispute = access_dispute(user=user, dispute_id=dispute_id)
    _require_party(dispute, user, "seller")
    with transaction.atomic():
        dispute = _lock(dispute.pk)
        if dispute.status != DisputeStatus.RETURN_SHIPPED or dispute.offer_refund_minor is None:
            raise InvalidState(_("No return is on its way for this dispute."))
        refund = Money(dispute.offer_refund_minor, dispute.currency)
        _settle(
            dispute,
            to=DisputeStatus.SETTLED,
            refund=refund,
            actor=user,
            note=system_note(
                gettext_noop("The seller received the item back; %(amount)s refunded."), amount=str(refund)
            ),
            return_received_at=timezone.now(),
        )
        _tell(dispute, "refunded", "buyer", amount=str(refund))
    return dispute


def dispute_withdraw(*, user: User, dispute_id: str) -> Dispute:
    """The buyer drops the dispute, which confirms receipt: the order completes and the money is
    released to the seller (confirming receipt directly is refused while disputed)."""
    dispute = access_dispute(user=user, dispute_id=dispute_id)
    _require_party(dispute, user, "buyer")
    with transaction.atomic():
        dispute = _lock(dispute.pk)
        if dispute.status not in WITHDRAWABLE_STATUSES:
            raise InvalidState(_("This dispute can no longer be withdrawn."))
        _settle(
            dispute,
            to=DisputeStatus.WITHDRAWN,
            refund=None,
            actor=user,
            note=system_note(gettext_noop("The buyer withdrew the dispute.")),
        )
        _tell(dispute, "withdrawn", "seller")
    return dispute


# --- escalation and decision -----------------------------------------------------------------


def _escalate(dispute: Dispute, *, actor: Any, by: str, note: str) -> None:
    now = timezone.now()
    _move(
        dispute,
        DisputeStatus.ESCALATED,
        actor=actor,
        note=note,
        escalated_at=now,
        escalated_by=by,
        deadline_at=now + timedelta(days=decision_days()),
    )


def dispute_escalate(*, user: User, dispute_id: str, note: str = "") -> Dispute:
    """Either party asks an arbitrator to decide."""
    dispute = access_dispute(user=user, dispute_id=dispute_id)
    party = _require_party(dispute, user, "buyer", "seller")
    with transaction.atomic():
        dispute = _lock(dispute.pk)
        if dispute.status not in ESCALATABLE_STATUSES:
            raise InvalidState(_("This dispute cannot be escalated now."))
        _escalate(
            dispute,
            actor=user,
            by=party,
            note=(note or "").strip() or system_note(gettext_noop("Escalated to an arbitrator.")),
        )
        _tell(dispute, "escalated", "seller" if party == "buyer" else "buyer")
    return dispute


def _decide(
    dispute: Dispute,
    *,
    outcome: str,
    refund: Money | None,
    reason: str,
    actor: Any,
    request: HttpRequest | None = None,
) -> None:
    """The locked, escalated dispute is decided and the money moves with it."""
    if dispute.status != DisputeStatus.ESCALATED:
        raise InvalidState(
            _("Only an escalated dispute can be decided; this one is “%(status)s”.") % {"status": dispute.status}
        )
    most = held(dispute, lock=True)
    if outcome == Outcome.REFUND_FULL:
        amount: Money | None = most
    elif outcome == Outcome.REFUND_PARTIAL:
        if refund is None:
            raise InvalidInput(_("Say how much is refunded."), fields={"refund": [_("Required.")]})
        _money_in(dispute, refund, "refund")
        if refund.minor <= 0 or refund.minor >= most.minor:
            raise InvalidInput(
                _("A partial refund is more than zero and less than %(held)s (use refund_full for all of it).")
                % {"held": most},
                fields={"refund": [_("Less than %(held)s.") % {"held": most.amount_str()}]},
            )
        amount = refund
    else:
        amount = None
    if amount is not None and amount.minor <= 0:
        amount = None
    _move(
        dispute,
        DisputeStatus.DECIDED,
        actor=actor,
        note=reason,
        outcome=outcome,
        refund_minor=amount.minor if amount is not None else None,
        resolution_reason=reason,
        decided_by=actor if getattr(actor, "pk", None) else None,
        resolved_at=timezone.now(),
        deadline_at=None,
    )
    flow.order_dispute_settle(order_id=dispute.order_id, refund=amount, actor=actor, note=reason)
    audit_record(
        action="dispute.decided",
        actor=actor,
        target=dispute,
        data={
            "order": dispute.order_id,
            "outcome": outcome,
            "refund": amount.as_dict() if amount is not None else None,
            "reason": reason,
        },
        request=request,
    )
    _tell(
        dispute, "decided", "buyer", "seller", outcome=str(Outcome(outcome).label), amount=str(amount) if amount else ""
    )


def dispute_decide(
    *,
    arbitrator: User,
    dispute_id: str,
    outcome: str,
    refund: Money | None,
    reason: str,
    request: HttpRequest | None = None,
) -> Dispute:
    """An arbitrator decides an escalated dispute, with a written reason both sides see. A
    dispute is decided once: a second decision (or one racing it) → 409, nothing moves."""
    require_role(arbitrator, Role.ARBITRATOR)
    dispute = Dispute.objects.filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound(_("No such dispute."))
    if arbitrator.pk in (dispute.buyer_id, dispute.seller_id):
        raise Forbidden(_("You cannot decide a dispute you are part of."))
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose one of: %(outcomes)s.") % {"outcomes": ", ".join(Outcome.values)}]
    _check_text(errors, "reason", reason, missing=_("Write the reason both sides will read."))
    if errors:
        raise InvalidInput(_("Please correct the decision."), fields=errors)
    with transaction.atomic():
        dispute = _lock(dispute.pk)
        _decide(dispute, outcome=outcome, refund=refund, reason=reason, actor=arbitrator, request=request)
    return dispute


# --- deadlines (the periodic job) ------------------------------------------------------------


def dispute_seller_silent(*, dispute_id: str, now: datetime | None = None) -> bool:
    """The seller let the answer window pass: escalated and decided for the buyer at once (a
    full refund), both steps by the platform."""
    now = now or timezone.now()
    with transaction.atomic():
        dispute = _lock(dispute_id)
        if (
            dispute.status != DisputeStatus.OPEN
            or dispute.seller_answered_at is not None
            or dispute.answer_due_at > now
        ):
            return False
        with translation.override(settings.LANGUAGE_CODE):  # stored once; pages word it per reader
            reason = _("The seller did not answer within %(days)s days.") % {"days": answer_days()}
        _escalate(
            dispute,
            actor=None,
            by="system",
            note=system_note(gettext_noop("The seller did not answer within %(days)s days."), days=answer_days()),
        )
        _decide(dispute, outcome=Outcome.REFUND_FULL, refund=None, reason=reason, actor=None)
    return True


def dispute_return_unconfirmed(*, dispute_id: str, now: datetime | None = None) -> bool:
    """The seller did not confirm the returned parcel in time: the offered refund goes out."""
    now = now or timezone.now()
    with transaction.atomic():
        dispute = _lock(dispute_id)
        if (
            dispute.status != DisputeStatus.RETURN_SHIPPED
            or dispute.deadline_at is None
            or dispute.deadline_at > now
            or dispute.offer_refund_minor is None
        ):
            return False
        refund = Money(dispute.offer_refund_minor, dispute.currency)
        note = system_note(
            gettext_noop("The seller did not confirm the return within %(days)s days; %(amount)s refunded."),
            days=return_confirm_days(),
            amount=str(refund),
        )
        _settle(dispute, to=DisputeStatus.SETTLED, refund=refund, actor=None, note=note)
        _tell(dispute, "refunded", "buyer", "seller", amount=str(refund))
    return True


def disputes_run_deadlines(*, now: datetime | None = None) -> int:
    """Apply every deadline that has passed; each dispute in its own transaction."""
    now = now or timezone.now()
    done = 0
    for dispute_id in disputes_due(statuses=(DisputeStatus.OPEN,), before=now):
        try:
            done += dispute_seller_silent(dispute_id=dispute_id, now=now)
        except InvalidState:  # moved on meanwhile
            continue
    for dispute_id in disputes_due(statuses=(DisputeStatus.RETURN_SHIPPED,), before=now):
        try:
            done += dispute_return_unconfirmed(dispute_id=dispute_id, now=now)
        except InvalidState:
            continue
    return done
