"""Starting the settings in a fresh interpreter with exactly the environment a test names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Everything production needs to start (settings contact nothing while loading).
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "example.com",
    "MONGODB_URI": "mongodb://db1.example.com,db2.example.com/?replicaSet=rs0",
    "REDIS_URL": "redis://cache.example.com:6379/0",
    "MEDIA_STORAGE": "gridfs",
    "STRIPE_SECRET_KEY": "sk_live_example",
    "STRIPE_WEBHOOK_SECRET": "whsec_example",
    "C2PA_SIGNING_CERT_PEM": "/etc/modelsnapper/c2pa-chain.pem",
    "C2PA_SIGNING_KEY_PEM": "/etc/modelsnapper/c2pa-key.pem",
}


def production(*, without: tuple[str, ...] = (), **overrides: str) -> dict[str, str]:
    """The production environment less ``without``, with ``overrides`` on top."""
    return {**{key: value for key, value in PRODUCTION.items() if key not in without}, **overrides}


def run_with(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a new interpreter whose environment is only PATH and ``env`` (no .env file)."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MODELSNAPPER_SKIP_DOTENV": "1", **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
