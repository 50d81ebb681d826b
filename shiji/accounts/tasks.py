"""Background jobs of the accounts domain: thin, take ids, safe to run twice."""

from huey.contrib.djhuey import db_task

from shiji.accounts import emails


@db_task(retries=3, retry_delay=30)
def email_confirmation_send(user_id: str) -> None:
    emails.send_email_confirmation(user_id=user_id)


@db_task(retries=3, retry_delay=30)
def password_reset_send(user_id: str, uid: str, token: str) -> None:
    emails.send_password_reset(user_id=user_id, uid=uid, token=token)
