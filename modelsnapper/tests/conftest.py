"""Fixtures several of the project package's test modules share."""

import pytest
from django.db import connections
from pymongo import MongoClient

from modelsnapper import embedded


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
