from datetime import timedelta

from django.contrib.auth import logout
from django.utils import timezone

from accounts.models import User

# last_active is written at most once per interval per user, not on every request.
LAST_ACTIVE_INTERVAL = timedelta(minutes=5)


class ActiveUserMiddleware:
    """Signs out soft-deleted users at once and keeps ``last_active`` fresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            if user.deleted_at is not None or not user.is_active:
                logout(request)
            else:
                now = timezone.now()
                if user.last_active is None or now - user.last_active > LAST_ACTIVE_INTERVAL:
                    User.objects.filter(pk=user.pk).update(last_active=now)
                    user.last_active = now
        return self.get_response(request)
