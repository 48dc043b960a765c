"""Where providers post their news back: one address for jobs and training runs alike.

Below both ``generation.running`` and ``generation.training``, so neither reaches into the other for it.
"""

from django.conf import settings
from django.urls import reverse


def webhook_url() -> str:
    return settings.SITE_URL + reverse("generation:replicate_webhook")
