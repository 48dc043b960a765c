"""Background work for the social app: tasks take ids, load, call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def send_notification_email(notification_id: str) -> bool:
    from social.models import Notification
    from social.selectors import parse_object_id
    from social.services import notification_send_email

    notification = (
        Notification.objects.filter(pk=parse_object_id(notification_id)).prefetch_related("recipient").first()
    )
    if notification is None:
        return False
    return notification_send_email(notification=notification)
