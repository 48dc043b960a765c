import pytest
from django.db import connections
from pymongo import MongoClient

from modelsnapper import embedded


def test_healthz_reports_every_dependency_up(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker", "storage"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


@pytest.fixture
def database_down(db):
    """Point this thread's connection at a port where nothing listens."""
    connection = connections["default"]
    connection.ensure_connection()
    real_client, real_database = connection.connection, connection.database
    dead = MongoClient(f"mongodb://127.0.0.1:{embedded.free_port()}/", serverSelectionTimeoutMS=200)
    connection.connection, connection.database = dead, dead[real_database.name]
    yield
    connection.connection, connection.database = real_client, real_database
    dead.close()


def test_healthz_answers_503_json_when_the_database_is_down(client, database_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"]["status"] == "error"


def test_pages_show_a_friendly_503_when_the_database_is_down(client, database_down):
    client.raise_request_exception = False
    response = client.get("/u/somebody/")

    assert response.status_code == 503
    assert b"can't reach its database" in response.content
    assert b"Traceback" not in response.content


def test_healthz_rejects_writes(client, db):
    assert client.post("/healthz").status_code == 405
