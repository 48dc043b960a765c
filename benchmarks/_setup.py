"""What every benchmark sets before Django starts: its own server and database, no .env."""

from __future__ import annotations

import os

# Production settings with the single-machine choices made explicitly, for benchmarks that
# measure pages as production serves them (DEBUG off) on one throw-away server.
PRODUCTION_LIKE = {
    "DEBUG": "false",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "testserver",
    "STRIPE_WEBHOOK_SECRET": "whsec_benchmark_only",
    "SINGLE_PROCESS_CACHE": "true",
    "MEDIA_STORAGE": "gridfs",
    "BILLING_TEST_CHECKOUT": "true",
    "C2PA_ENABLED": "false",
    "SECURE_SSL_REDIRECT": "false",
    "CELERY_TASK_ALWAYS_EAGER": "true",
}


def django_setup(uri: str, database: str, **environ: str) -> None:
    """Point the settings at the benchmark's throw-away server and start Django.

    ``environ`` adds or overrides variables (``DEBUG="false"``, ``REDIS_URL=...``):
    what one benchmark needs stays in that benchmark.
    """
    os.environ.update(
        {
            "DEBUG": "true",
            "MODELSNAPPER_SKIP_DOTENV": "1",
            "MONGODB_URI": uri,
            "MONGODB_NAME": database,
            "LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "modelsnapper.settings",
            **environ,
        }
    )
    import django

    django.setup()


def social_cast(prefix: str, *, people: int, follows: int) -> tuple[list, object]:
    """People named ``<prefix><n>``: the first (the viewer) follows the next ``follows``, the
    second (the star) has a post that six others commented on and liked. Returns (people, post)."""
    from accounts.models import User
    from social import services

    cast = [
        User.objects.create_user(username=f"{prefix}{n}", email=f"{prefix}{n}@example.com", password="x")
        for n in range(people)
    ]
    viewer, star = cast[0], cast[1]
    for person in cast[1 : follows + 1]:
        services.follow_create(follower=viewer, following=person)
    post = services.post_create(author=star, category="text-post", caption="a post with comments #aiart")
    for person in cast[2:8]:
        services.comment_create(author=person, post=post, text="a comment")
        services.like_add(user=person, target=post)
    return cast, post
