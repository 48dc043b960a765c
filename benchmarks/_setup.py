"""What every benchmark sets before Django starts: its own server and database, no .env."""

from __future__ import annotations

import os


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
