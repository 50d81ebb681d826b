"""Catalog jobs: keep the search index current after commit; tell a seller about moderation."""

from huey.contrib.djhuey import db_task

from shiji.catalog import indexing, notifications


@db_task(retries=3, retry_delay=10)
def listing_reindex(listing_id: str) -> None:
    indexing.listing_reindex(listing_id=listing_id)


@db_task(retries=3, retry_delay=30)
def listing_suppressed_notify(listing_id: str) -> None:
    notifications.send_listing_suppressed(listing_id=listing_id)
