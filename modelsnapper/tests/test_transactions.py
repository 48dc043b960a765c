"""The transaction helper every multi-document write path uses."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connections
from pymongo.errors import PyMongoError

from accounts.models import User
from modelsnapper.db import TransactionRetriesExhausted, run_in_transaction
from modelsnapper.testing.factories import UserFactory


def fail_next(command: str, *, times: int = 1, code: int = 112, labels: list[str] | None = None) -> None:
    """Arm SecantusDB's failCommand fail point (the test server enables test commands)."""
    data = {"failCommands": [command], "errorCode": code}
    if labels is not None:
        data["errorLabels"] = labels
    connections["default"].connection.admin.command(
        {"configureFailPoint": "failCommand", "mode": {"times": times}, "data": data}
    )


@pytest.fixture
def fail_points(db):
    yield
    connections["default"].connection.admin.command({"configureFailPoint": "failCommand", "mode": "off"})


def test_an_exception_rolls_back_every_write_of_the_block(db):
    def create_two_then_fail():
        Group.objects.create(name="first")
        Group.objects.create(name="second")
        raise ValueError("boom")

    with pytest.raises(ValueError):
        run_in_transaction(create_two_then_fail)

    assert not Group.objects.filter(name__in=["first", "second"]).exists()


def test_a_transient_write_conflict_is_retried_and_applied_once(fail_points):
    attempts = []

    def create_group():
        attempts.append(1)
        return Group.objects.create(name="retried")

    fail_next("insert", code=112, labels=["TransientTransactionError"])
    run_in_transaction(create_group)

    assert len(attempts) == 2
    assert Group.objects.filter(name="retried").count() == 1


def test_an_unknown_commit_result_is_retried(fail_points):
    attempts = []

    def create_group():
        attempts.append(1)
        Group.objects.create(name=f"attempt-{len(attempts)}")

    # 50 = MaxTimeMSExpired: the driver labels a failed commit with it as UnknownTransactionCommitResult.
    fail_next("commitTransaction", times=2, code=50)
    run_in_transaction(create_group)

    assert len(attempts) >= 2
    assert Group.objects.filter(name__startswith="attempt-").count() == 1


def test_a_non_transient_error_is_not_retried(fail_points):
    attempts = []

    def create_group():
        attempts.append(1)
        Group.objects.create(name="never")

    fail_next("insert", code=2, labels=[])  # BadValue: retrying cannot help
    with pytest.raises((DatabaseError, PyMongoError)):
        run_in_transaction(create_group)

    assert len(attempts) == 1
    assert not Group.objects.filter(name="never").exists()


def test_retries_stop_after_the_attempt_budget(fail_points):
    fail_next("insert", times=10, code=112, labels=["TransientTransactionError"])
    with pytest.raises(TransactionRetriesExhausted):
        run_in_transaction(lambda: Group.objects.create(name="exhausted"), attempts=3)
    assert not Group.objects.filter(name="exhausted").exists()


def test_the_next_block_after_a_failed_commit_is_still_transactional(fail_points):
    fail_next("commitTransaction", code=2, labels=[])
    with pytest.raises((DatabaseError, PyMongoError)):
        run_in_transaction(lambda: Group.objects.create(name="commit-failed"))
    assert not Group.objects.filter(name="commit-failed").exists()
    assert connections["default"].session is None

    def write_then_fail():
        Group.objects.create(name="must-roll-back")
        raise ValueError("boom")

    with pytest.raises(ValueError):
        run_in_transaction(write_then_fail)

    # Without the session repair this block would have run outside a transaction
    # and the group would have been written.
    assert not Group.objects.filter(name="must-roll-back").exists()


def test_a_nested_call_joins_the_outer_transaction(db):
    def outer():
        run_in_transaction(lambda: Group.objects.create(name="inner"))
        raise ValueError("outer fails")

    with pytest.raises(ValueError):
        run_in_transaction(outer)
    assert not Group.objects.filter(name="inner").exists()


def test_twenty_threads_of_read_modify_write_lose_no_update(db):
    user = UserFactory()
    threads_count, per_thread = 20, 5
    errors = []

    def increment(label: str):
        def block():
            fresh = User.objects.get(pk=user.pk)
            fresh.stats.posts += 1
            fresh.save(update_fields=["stats"])
            Group.objects.create(name=label)

        return block

    def worker(n: int):
        try:
            for i in range(per_thread):
                run_in_transaction(increment(f"inc-{n}-{i}"))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    user.refresh_from_db()
    assert user.stats.posts == threads_count * per_thread
    assert Group.objects.filter(name__startswith="inc-").count() == threads_count * per_thread
