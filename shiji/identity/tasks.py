from huey.contrib.djhuey import db_task

from shiji.identity import emails


@db_task(retries=3, retry_delay=30)
def verification_decided_notify(verification_id: str) -> None:
    emails.send_verification_decided(verification_id=verification_id)
