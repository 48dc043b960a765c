"""The embedded SecantusDB launcher used by `make run` when MONGODB_URI is unset."""

import subprocess
import sys
from pathlib import Path

import pytest
from pymongo import MongoClient

BASE_DIR = Path(__file__).resolve().parents[2]


def embedded_db(action: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "MODELSNAPPER_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "manage.py", "embedded_db", action],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_start_status_stop_keeps_data_across_restarts(tmp_path):
    data_dir = tmp_path / "data"
    try:
        started = embedded_db("start", data_dir)
        assert started.returncode == 0, started.stderr
        assert "SecantusDB running" in started.stdout
        assert (data_dir / "secantus.json").exists()

        status = embedded_db("status", data_dir)
        assert status.returncode == 0 and "running: pid" in status.stdout
        uri = status.stdout.split(", ")[1]
        with MongoClient(uri, serverSelectionTimeoutMS=3000) as client:
            client.kept.things.insert_one({"_id": "survivor"})

        assert "stopped" in embedded_db("stop", data_dir).stdout
        assert embedded_db("status", data_dir).returncode == 3

        embedded_db("start", data_dir)
        uri = embedded_db("status", data_dir).stdout.split(", ")[1]
        with MongoClient(uri, serverSelectionTimeoutMS=3000) as client:
            assert client.kept.things.find_one({"_id": "survivor"}) is not None
    finally:
        embedded_db("stop", data_dir)


def test_starting_with_mongodb_uri_set_is_refused(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "MONGODB_URI": "mongodb://127.0.0.1:1/"}
    result = subprocess.run(
        [sys.executable, "manage.py", "embedded_db", "start"],
        cwd=BASE_DIR,
        env={**env, "MODELSNAPPER_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "MONGODB_URI is set" in result.stderr


@pytest.mark.slow
def test_a_throwaway_server_restarts_with_other_flags_over_the_same_documents_and_is_gone_after():
    from modelsnapper import embedded

    with embedded.throwaway_server("modelsnapper-restart-") as server:
        storage, first_pid = Path(server.storage), server.pid
        with MongoClient(server.uri, serverSelectionTimeoutMS=3000) as client:
            assert client.admin.command("hello").get("setName") == "secantus"
            client.kept.things.insert_one({"_id": "survivor"})
        server.restart(("--standalone",))
        with MongoClient(server.uri, serverSelectionTimeoutMS=3000) as client:
            assert "setName" not in client.admin.command("hello")
            assert client.kept.things.find_one({"_id": "survivor"}) == {"_id": "survivor"}
        assert server.pid != first_pid
        process = server.process
    assert process.poll() is not None
    assert not storage.exists()
