"""The ledger's history cannot be rewritten (database triggers), and the ledger check proves the
books from the rows — so an edit made behind the application's back shows up."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.test import TestCase

from shiji.accounts.tests.factories import UserFactory, chinese_buyer
from shiji.core.money import Money
from shiji.ledger.check import ledger_check
from shiji.ledger.guard import GUARDED_TABLES, MESSAGE, guard_install, guard_remove
from shiji.ledger.models import JournalEntry, LedgerAccount, OwnerType, Posting, Purpose
from shiji.ledger.selectors import balance
from shiji.ledger.services import clearing_account, escrow_account, platform_account, post_entry, user_account
from shiji.orders import flow
from shiji.orders.models import Order
from shiji.orders.tests.factories import listing_jp, mark_shipped, order_placed, pay, seller_jp
from shiji.payments.models import Payout, PayoutStatus
from shiji.payments.payouts import payout_request

pytestmark = pytest.mark.django_db

CLEARING = clearing_account("sandbox")
ALICE = user_account("usr_alice")


def an_entry() -> JournalEntry:
    return post_entry(
        key="fund:alice", kind="test.fund", legs=[(CLEARING, Money(-5000, "JPY")), (ALICE, Money(5000, "JPY"))]
    ).entry


def ledger_rows() -> tuple[list[Any], list[Any]]:
    entries = list(JournalEntry.objects.order_by("pk").values_list("pk", "key", "kind", "memo", "order_id"))
    postings = list(Posting.objects.order_by("pk").values_list("pk", "entry_id", "account_id", "amount_minor"))
    return entries, postings


# --- the guard ---------------------------------------------------------------------------------


def guarded_tables() -> set[str]:
    """Tables that carry an enabled trigger, from the database's own catalogue."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D'"
            )
        return {row[0] for row in cursor.fetchall()}


def test_migrations_install_the_guard_on_both_tables():
    assert set(GUARDED_TABLES) == {"ledger_journalentry", "ledger_posting"}
    assert set(GUARDED_TABLES) <= guarded_tables()


def test_the_guard_migration_installs_and_removes_the_triggers():
    migration = importlib.import_module("shiji.ledger.migrations.0002_immutability_guard")
    editor = SimpleNamespace(connection=connection)
    entry = an_entry()

    migration.remove(None, editor)
    try:
        assert not set(GUARDED_TABLES) & guarded_tables()
        with transaction.atomic():  # unguarded, an edit goes through (and is rolled back here)
            assert Posting.objects.filter(entry=entry).update(amount_minor=F("amount_minor") * 2) == 2
            transaction.set_rollback(True)
    finally:
        migration.install(None, editor)

    assert set(GUARDED_TABLES) <= guarded_tables()
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.filter(entry=entry).update(amount_minor=F("amount_minor") * 2)
    assert balance(ALICE, "JPY") == Money(5000, "JPY")


def posting_save(posting: Posting) -> None:
    posting.amount_minor = 1
    posting.save()


def entry_save(entry: JournalEntry) -> None:
    entry.memo = "rewritten"
    entry.save()


ORM_EDITS = {
    "posting-save": lambda entry: posting_save(entry.postings.first()),
    "posting-queryset-update": lambda entry: Posting.objects.filter(entry=entry).update(amount_minor=1),
    "posting-delete": lambda entry: entry.postings.first().delete(),
    "posting-queryset-delete": lambda entry: Posting.objects.filter(entry=entry).delete(),
    "entry-save": entry_save,
    "entry-queryset-update": lambda entry: JournalEntry.objects.filter(pk=entry.pk).update(key="forged"),
    "entry-delete": lambda entry: entry.delete(),
}
RAW_EDITS = {
    "posting-update": "UPDATE ledger_posting SET amount_minor = amount_minor + 1",
    "posting-delete": "DELETE FROM ledger_posting",
    "entry-update": "UPDATE ledger_journalentry SET memo = 'rewritten'",
    "entry-delete": "DELETE FROM ledger_journalentry",
}


@pytest.mark.parametrize("edit", ORM_EDITS.values(), ids=ORM_EDITS.keys())
def test_orm_updates_and_deletes_of_ledger_rows_are_refused(edit):
    entry = an_entry()
    before = ledger_rows()

    with pytest.raises(IntegrityError), transaction.atomic():
        edit(entry)

    assert ledger_rows() == before
    assert balance(ALICE, "JPY") == Money(5000, "JPY")
    assert ledger_check().balanced


@pytest.mark.parametrize("sql", RAW_EDITS.values(), ids=RAW_EDITS.keys())
def test_raw_sql_updates_and_deletes_of_ledger_rows_are_refused(sql):
    an_entry()
    before = ledger_rows()

    with pytest.raises(IntegrityError, match=MESSAGE), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)

    assert ledger_rows() == before
    assert ledger_check().balanced


@pytest.mark.forges_ledger
def test_an_entry_without_postings_cannot_be_deleted_either():
    """The guard is the triggers, not the foreign keys: an entry nothing refers to is still kept."""
    lone = JournalEntry.objects.create(key="lone", kind="test")
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        lone.delete()
    assert JournalEntry.objects.filter(pk=lone.pk).exists()


def test_new_entries_can_still_be_written_after_a_refused_edit():
    entry = an_entry()
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.filter(entry=entry).update(amount_minor=7)
    post_entry(key="more", kind="test", legs=[(CLEARING, Money(-1, "JPY")), (ALICE, Money(1, "JPY"))])
    assert balance(ALICE, "JPY") == Money(5001, "JPY")


# --- the ledger check after a real order flow --------------------------------------------------


@pytest.fixture
def completed_sale():
    seller = seller_jp()
    order = pay(order_placed(listing=listing_jp(seller)))
    mark_shipped(order)
    flow.order_complete(order_id=order.pk)
    order.refresh_from_db()
    return seller, order


def test_the_books_balance_after_a_sale_and_a_payout(completed_sale):
    seller, order = completed_sale
    assert order.status == "completed"
    proceeds = Money(order.seller_proceeds_minor, "JPY")
    assert balance(user_account(seller.pk), "JPY") == proceeds
    assert balance(escrow_account(order.pk), order.currency).is_zero()

    with TestCase.captureOnCommitCallbacks(execute=True):
        payout = payout_request(user=seller, amount=Money(1000, "JPY"))
    payout.refresh_from_db()

    assert payout.status == PayoutStatus.PAID
    assert balance(user_account(seller.pk), "JPY") == proceeds - Money(1000, "JPY")
    report = ledger_check()
    assert report.problems == []
    assert (report.balanced, report.escrow_matches_orders, report.payouts_match) == (True, True, True)
    # capture, release, payout requested, payout paid
    assert report.entries == JournalEntry.objects.count() == 4


def test_the_books_balance_while_money_is_held_and_in_flight():
    seller = seller_jp()
    paid = pay(order_placed(listing=listing_jp(seller, quantity=3)))
    post_entry(
        key="fund:seller",
        kind="test.fund",
        legs=[(CLEARING, Money(-2000, "JPY")), (user_account(seller.pk), Money(2000, "JPY"))],
    )
    payout_request(user=seller, amount=Money(1500, "JPY"))  # its job is never run: still in flight

    report = ledger_check()
    assert report.problems == []
    assert report.balanced and report.escrow_matches_orders and report.payouts_match
    assert balance(escrow_account(paid.pk), "CNY") == Money(paid.total_minor, "CNY")
    assert balance(platform_account(Purpose.PAYOUTS_IN_FLIGHT), "JPY") == Money(1500, "JPY")


# --- the ledger check detects forged edits -----------------------------------------------------


@pytest.mark.forges_ledger
def test_a_forged_balance_is_detected(completed_sale):
    seller, _order = completed_sale
    account = LedgerAccount.objects.get(owner_type=OwnerType.USER, owner_id=seller.pk, purpose=Purpose.AVAILABLE)
    LedgerAccount.objects.filter(pk=account.pk).update(balance_minor=account.balance_minor + 100_000)

    report = ledger_check()

    assert report.balanced is False
    assert any(account.pk in problem and "postings sum to" in problem for problem in report.problems), report.problems


@contextmanager
def guard_lifted() -> Iterator[None]:
    """What a superuser could do: edit ledger rows with the triggers out of the way."""
    if connection.vendor == "sqlite":
        guard_remove(connection)
        try:
            yield
        finally:
            guard_install(connection)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@pytest.mark.forges_ledger
def test_a_posting_changed_behind_the_guard_is_detected(completed_sale):
    _seller, order = completed_sale
    release = JournalEntry.objects.get(key=f"release:{order.pk}")
    posting = release.postings.filter(currency="JPY", amount_minor__gt=0).first()
    assert posting is not None

    with guard_lifted():
        Posting.objects.filter(pk=posting.pk).update(amount_minor=posting.amount_minor + 1)

    report = ledger_check()
    assert report.balanced is False
    assert any(release.pk in p and "does not sum to zero" in p for p in report.problems), report.problems
    # The guard is back: the same edit is refused again.
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.filter(pk=posting.pk).update(amount_minor=posting.amount_minor)


@pytest.mark.forges_ledger
def test_a_deleted_posting_is_detected(completed_sale):
    _seller, order = completed_sale
    capture = JournalEntry.objects.get(kind="payment.capture", order_id=order.pk)

    with guard_lifted():
        capture.postings.filter(amount_minor__lt=0).delete()

    report = ledger_check()
    assert report.balanced is False
    assert any(capture.pk in p for p in report.problems), report.problems


@pytest.mark.forges_ledger
def test_forged_order_money_is_detected(completed_sale):
    _seller, order = completed_sale
    Order.objects.filter(pk=order.pk).update(captured_minor=order.captured_minor + 500)

    report = ledger_check()

    assert report.escrow_matches_orders is False
    assert report.balanced is True
    assert any(order.pk in problem for problem in report.problems), report.problems


@pytest.mark.forges_ledger
def test_a_payout_marked_paid_without_the_providers_word_is_detected(completed_sale):
    seller, _order = completed_sale
    payout = payout_request(user=seller, amount=Money(1000, "JPY"))  # sent after commit: never, here
    assert ledger_check().payouts_match is True

    Payout.objects.filter(pk=payout.pk).update(status=PayoutStatus.PAID)

    report = ledger_check()
    assert report.payouts_match is False
    assert any("payouts in flight in JPY" in problem for problem in report.problems), report.problems


# --- GET /staff/ledger/check -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["finance", "admin"])
def test_finance_and_admin_read_the_ledger_check(api_as, completed_sale, role):
    response = api_as(UserFactory(roles=[role])).get("/staff/ledger/check")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["balanced"] is True
    assert body["escrow_matches_orders"] is True
    assert body["payouts_match"] is True
    assert body["entries"] == JournalEntry.objects.count() == 2
    assert body["problems"] == []


@pytest.mark.forges_ledger
def test_the_endpoint_reports_problems(api_as, completed_sale):
    seller, _order = completed_sale
    LedgerAccount.objects.filter(owner_id=seller.pk).update(balance_minor=1)

    body = api_as(UserFactory(roles=["finance"])).get("/staff/ledger/check").json()

    assert body["balanced"] is False
    assert body["problems"] and isinstance(body["problems"][0], str)


def test_a_buyer_may_not_read_the_ledger_check(api_as):
    response = api_as(chinese_buyer()).get("/staff/ledger/check")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_the_ledger_check_needs_a_login(api):
    response = api.get("/staff/ledger/check")
    assert response.status_code == 401
