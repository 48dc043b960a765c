from datetime import timedelta

from allauth.account.adapter import get_adapter
from allauth.usersessions import app_settings as allauth_usersessions_settings
from allauth.usersessions.models import UserSession
from django.contrib.auth import logout
from django.core.cache import cache
from django.utils import timezone

from accounts.models import User
from modelsnapper.queryshape import ShapedQuerySet

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


# "Last seen" on the sessions page is kept to the minute, not to the request.
SESSION_SEEN_INTERVAL_SECONDS = 60


class UserSessionsMiddleware:
    """allauth's session tracking, at most once a minute per session.

    allauth's own middleware re-records the session on every request (a read, a
    user load and a save); that is three round trips on every page for a
    "last seen" column. The shared cache remembers that a session was recorded, and
    the same browser coming back is one conditional update (``record_seen``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session_key = getattr(getattr(request, "session", None), "session_key", None)
        if (
            allauth_usersessions_settings.TRACK_ACTIVITY
            and session_key
            and request.user.is_authenticated
            and cache.add(f"usersession-seen:{session_key}", 1, timeout=SESSION_SEEN_INTERVAL_SECONDS)
        ):
            record_seen(request)
        return self.get_response(request)


def record_seen(request) -> None:
    """Move the session's "last seen" to now: one update when the same person comes back from
    the same address and browser; otherwise allauth records it (a new session, or a new client,
    which sends allauth's ``session_client_changed``)."""
    user_agent = request.META.get("HTTP_USER_AGENT", "")[
        : UserSession._meta.get_field("user_agent").max_length
    ]
    # One filter document on the unique session_key index (modelsnapper.queryshape).
    same_client = ShapedQuerySet(UserSession).filter(
        session_key=request.session.session_key,
        user_id=request.user.pk,
        ip=get_adapter().get_client_ip(request),
        user_agent=user_agent,
    )
    if not same_client.update(last_seen_at=timezone.now()):
        UserSession.objects.create_from_request(request)
