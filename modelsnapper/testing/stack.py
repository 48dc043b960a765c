"""The app started the way the Procfile starts it, with DEBUG off: for the production-profile test and the soak.

Release step (migrate, collectstatic, preflight) and ``seed_catalog``, then gunicorn, a
Celery worker and beat, each from its Procfile line, against real Redis, the embedded
MongoDB server standing in for the external database, and S3 on moto's server. Every
process is started here, in its own session, and stopped here by its own id.

The parts can fail on purpose, one at a time (``restart``, ``redis_restart``,
``database_down``/``database_up``): the soak (``benchmarks/soak.py``) measures how the
site behaves meanwhile and that nothing is lost.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generation.testing import RedisServer, free_port, wait_for
from modelsnapper import embedded

ROOT = Path(__file__).resolve().parents[2]
BIN = str(Path(sys.executable).parent)
DATABASE = "modelsnapper_production_profile"
WEBHOOK_SECRET = "whsec_production_profile_only"
BUCKET = "modelsnapper-media"
SERVICES = ("web", "worker", "beat")


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def production_env(**services: str) -> dict[str, str]:
    """Every production setting, with nothing inherited from the caller but PATH and HOME."""
    return {
        "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONUNBUFFERED": "1",
        "MODELSNAPPER_SKIP_DOTENV": "1",
        "DEBUG": "false",
        "SECRET_KEY": "production-profile-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MONGODB_NAME": DATABASE,
        "MONGODB_TIMEOUT_MS": "2000",
        "BILLING_TEST_CHECKOUT": "true",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        # TLS ends at the load balancer in a real deployment; here the clients talk plain HTTP.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "2",
        "CELERY_CONCURRENCY": "1",
        "LOG_LEVEL": "INFO",
        # Settings only name the signer's files; preflight (and the first signature) read them.
        "C2PA_SIGNING_CERT_PEM": "/etc/modelsnapper/c2pa-chain.pem",
        "C2PA_SIGNING_KEY_PEM": "/etc/modelsnapper/c2pa-key.pem",
        **services,
    }


def signing_certificate(directory: Path) -> dict[str, str]:
    """An operator's C2PA certificate chain and key, as PEM files (made by the same code as the dev CA)."""
    from generation.provenance.keys import development_keys

    keys = development_keys(directory)
    (directory / "chain.pem").write_bytes(keys.chain_pem)
    (directory / "key.pem").write_bytes(keys.key_pem)
    return {
        "C2PA_SIGNING_CERT_PEM": str(directory / "chain.pem"),
        "C2PA_SIGNING_KEY_PEM": str(directory / "key.pem"),
    }


def hidden_fields(html: str) -> dict[str, str]:
    """Hidden inputs of a page's forms (the CSRF token, submission tokens), as a browser would send them."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass
class Stack:
    url: str
    env: dict
    logs: Path
    database_port: int
    database_storage: str
    database: subprocess.Popen
    redis: RedisServer
    processes: dict = field(default_factory=dict)
    # (name, exit code, when) of each process that exited on its own and was started again.
    restarts: list = field(default_factory=list)
    _held: set = field(default_factory=set)  # stopped on purpose (a fault step): not restarted
    _stopping: threading.Event = field(default_factory=threading.Event)
    _supervisor: threading.Thread | None = None

    @property
    def database_uri(self) -> str:
        return embedded.ServerState(self.database.pid, self.database_port, self.database_storage).uri

    @property
    def database_pid(self) -> int:
        return self.database.pid

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def web_log(self) -> str:
        return self.log("web")

    def answering(self) -> bool:
        import requests

        try:
            return requests.get(f"{self.url}/livez", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def spawn(self, name: str) -> subprocess.Popen:
        """Start the Procfile's ``name`` process (web, worker, beat), logging to ``<logs>/<name>.log``."""
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            ["sh", "-c", procfile()[name]],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        self._held.discard(name)
        return process

    def supervise(self, *, every: float = 0.5, backoff: float = 1.0) -> None:
        """Start again, after ``backoff`` seconds, a Procfile process that exits on its own, as the
        platform that runs a Procfile does (a crashed dyno, systemd's ``Restart=always``): Celery's
        worker can exit on a broker restart (see README, Known limits). Each restart is recorded
        in ``restarts`` for the caller to report."""

        def watch() -> None:
            while not self._stopping.wait(every):
                for name, process in list(self.processes.items()):
                    if name in self._held or process.poll() is None:
                        continue
                    self.restarts.append((name, process.returncode, time.monotonic()))
                    if not self._stopping.wait(backoff) and name not in self._held:
                        self.spawn(name)

        self._supervisor = threading.Thread(target=watch, name="procfile-supervisor", daemon=True)
        self._supervisor.start()

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group of ``name``: no clean shutdown, as when a machine dies.
        Not restarted by ``supervise``: the caller starts it again (``spawn``) when it chooses."""
        self._held.add(name)
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def children(self, name: str) -> list[int]:
        """The direct children of ``name``'s process (gunicorn's web workers, Celery's pool)."""
        path = Path(f"/proc/{self.processes[name].pid}/task/{self.processes[name].pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in path.read_text().split()]
        return []

    def redis_restart(self) -> None:
        """Stop Redis (everything in it is lost: this Redis keeps no snapshot) and start it on the same port."""
        port = self.redis.port
        self.redis.stop()
        self.redis = RedisServer(port=port)

    def database_down(self) -> None:
        """Stop the database server cleanly: connections are refused until ``database_up``."""
        embedded.terminate_pid(self.database.pid, timeout=20)
        self.database.wait(timeout=10)

    def database_up(self) -> None:
        """The server again, on the same port over the same store."""
        self.database = embedded.spawn(
            self.database_port,
            self.database_storage,
            log_path=self.logs / "database.log",
            die_with_parent=True,
        )

    def stop(self) -> None:
        self._stopping.set()
        if self._supervisor is not None:
            # A restart it has begun finishes first, so that process is stopped below too.
            self._supervisor.join(timeout=30)
        for process in self.processes.values():
            _stop(process)
        self.redis.stop()
        if self.database.poll() is None:
            embedded.terminate_pid(self.database.pid, timeout=20)


@contextlib.contextmanager
def production_stack(workdir: Path, **settings: str) -> Iterator[Stack]:
    """The whole deployment, answering on a free loopback port; everything stopped and removed on exit.

    ``settings`` add to or override the production environment (e.g. a shorter poll interval).
    """
    import boto3
    from moto.server import ThreadedMotoServer

    # moto's server logs every request through werkzeug.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logs = workdir / "logs"
    for name in ("logs", "static", "metrics", "c2pa"):
        (workdir / name).mkdir(parents=True, exist_ok=True)
    storage = tempfile.mkdtemp(prefix="modelsnapper-production-db-")
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, storage, ignore_errors=True)
        port = free_port()
        database = embedded.spawn(port, storage, log_path=logs / "database.log", die_with_parent=True)
        redis = RedisServer()
        s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        s3.start()
        cleanup.callback(s3.stop)
        host, s3_port = s3.get_host_and_port()
        endpoint = f"http://{host}:{s3_port}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        ).create_bucket(Bucket=BUCKET)
        web_port = free_port()
        env = production_env(
            MONGODB_URI=embedded.ServerState(database.pid, port, storage).uri,
            REDIS_URL=redis.url,
            AWS_STORAGE_BUCKET_NAME=BUCKET,
            AWS_S3_ENDPOINT_URL=endpoint,
            AWS_S3_REGION_NAME="us-east-1",
            AWS_S3_ADDRESSING_STYLE="path",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            STATIC_ROOT=str(workdir / "static"),
            PROMETHEUS_MULTIPROC_DIR=str(workdir / "metrics"),
            PORT=str(web_port),
            # Loopback only: gunicorn.conf.py binds every interface, as behind a load balancer.
            GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{web_port}",
            SITE_URL=f"http://127.0.0.1:{web_port}",
            **signing_certificate(workdir / "c2pa"),
        )
        env.update(settings)
        stack = Stack(f"http://127.0.0.1:{web_port}", env, logs, port, storage, database, redis)
        cleanup.callback(stack.stop)
        release = subprocess.run(
            ["sh", "-c", procfile()["release"]], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if release.returncode != 0:
            raise RuntimeError(f"the release step failed:\n{release.stdout}{release.stderr}")
        # A newcomer's one-time step from the README: the plans, packs and AI models.
        subprocess.run([sys.executable, "manage.py", "seed_catalog"], cwd=ROOT, env=env, check=True)
        for name in SERVICES:
            stack.spawn(name)
        stack.supervise()
        if not wait_for(stack.answering, timeout=60, interval=0.2):
            raise RuntimeError("gunicorn never answered /livez:\n" + stack.web_log()[-3000:])
        yield stack
