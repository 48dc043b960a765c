import pytest
from celery._state import task_join_will_block
from celery.result import _set_task_join_will_block
from django.db import connections

from accounts.models import User
from modelsnapper.testing.factories import UserFactory


def test_a_test_can_write_users(db):
    UserFactory.create_batch(3)
    assert User.objects.count() == 3


def test_the_next_test_starts_from_an_empty_collection(db):
    assert User.objects.count() == 0


def test_rows_made_by_migrate_survive_cleanup(db):
    from django.contrib.auth.models import Permission

    assert Permission.objects.filter(codename="add_user").exists()
    Permission.objects.filter(codename="add_user").delete()


def test_deleted_baseline_rows_are_put_back(db):
    from django.contrib.auth.models import Permission

    assert Permission.objects.filter(codename="add_user").exists()


@pytest.mark.django_db
def test_a_test_marked_django_db_is_isolated_by_the_write_recorder_not_by_a_flush(request):
    assert "db" in request.fixturenames
    UserFactory.create_batch(2)


def test_after_a_test_marked_django_db_the_next_one_still_starts_empty(db):
    assert User.objects.count() == 0


def test_a_test_that_leaves_celery_inside_a_task_flag_set(db):
    """What two threads running eager tasks at once can leave behind."""
    _set_task_join_will_block(True)


def test_the_next_test_can_still_wait_for_an_eager_tasks_result(db):
    assert not task_join_will_block()


def test_a_test_that_abandons_an_open_transaction(db):
    """What a thread's connection (or a killed worker) can leave behind: a document locked."""
    client = connections["default"].connection
    session = client.start_session()
    session.start_transaction()
    UserFactory()
    client[connections["default"].settings_dict["NAME"]]["accounts_user"].update_one(
        {}, {"$set": {"first_name": "locked"}}, session=session
    )


def test_the_next_test_starts_empty_instead_of_waiting_for_that_transaction(db):
    assert User.objects.count() == 0
