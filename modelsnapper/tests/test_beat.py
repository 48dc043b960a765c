"""However many Celery beats run, one schedules; a standby takes over when it dies."""

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
from django.db import connections

from generation.testing import RedisServer, wait_for, worker_env
from modelsnapper.beat import BEAT_LEASE, lease_hold, lease_holder
from modelsnapper.testing.isolation import baseline

ROOT = Path(__file__).resolve().parents[2]


def test_of_ten_beats_asking_at_once_exactly_one_gets_the_lease(db):
    barrier = threading.Barrier(10)
    won = []

    def ask(n):
        barrier.wait()
        if lease_hold(name="test-lease", holder=f"beat-{n}", seconds=30):
            won.append(n)
        connections.close_all()

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(won) == 1
    holder = f"beat-{won[0]}"
    assert lease_hold(name="test-lease", holder=holder, seconds=30)  # renewing
    assert not lease_hold(name="test-lease", holder="someone-else", seconds=30)


def test_an_expired_lease_is_taken_over(db):
    assert lease_hold(name="test-lease", holder="dead-beat", seconds=-1)

    assert lease_hold(name="test-lease", holder="standby", seconds=30)
    assert not lease_hold(name="test-lease", holder="dead-beat", seconds=30)


class Beat:
    def __init__(self, env):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "modelsnapper", "beat", "--loglevel", "WARNING"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=15)


def _origins(queue: redis.Redis) -> list[str]:
    """Which process sent each scheduled task, oldest first (kombu LPUSHes)."""
    raw = reversed(queue.lrange("celery", 0, -1))
    return [json.loads(message)["headers"]["origin"] for message in raw]


@pytest.mark.slow
def test_two_beat_processes_schedule_each_task_once_and_a_standby_takes_over(db):
    server = RedisServer()
    env = worker_env(
        mongodb_uri=os.environ["MONGODB_URI"],
        mongodb_name=connections["default"].settings_dict["NAME"],
        redis_url=server.url,
        BEAT_HEARTBEAT_SECONDS="1",
        BEAT_LEASE_SECONDS="3",
    )
    queue = redis.Redis.from_url(server.url)
    beats = [Beat(env), Beat(env)]
    try:
        assert wait_for(lambda: len(_origins(queue)) >= 4, timeout=60, interval=0.2)
        # Every heartbeat so far came from one process: the other beat idled.
        assert len(set(_origins(queue))) == 1
        leader_pid = int(_origins(queue)[0].split("@")[0].removeprefix("gen"))
        assert leader_pid in {beat.process.pid for beat in beats}
        leader = next(beat for beat in beats if beat.process.pid == leader_pid)
        standby = next(beat for beat in beats if beat is not leader)

        leader.stop(signal.SIGKILL)  # dies holding the lease
        took_over = wait_for(lambda: len(set(_origins(queue))) == 2, timeout=60, interval=0.2)

        assert took_over
        origins = _origins(queue)
        first_of_standby = next(
            i for i, origin in enumerate(origins) if not origin.startswith(f"gen{leader_pid}@")
        )
        assert all(origin.startswith(f"gen{leader_pid}@") for origin in origins[:first_of_standby])
        assert all(origin.startswith(f"gen{standby.process.pid}@") for origin in origins[first_of_standby:])
        assert lease_holder(BEAT_LEASE)["holder"].split(":")[1] == str(standby.process.pid)
    finally:
        for beat in beats:
            beat.stop()
        queue.close()
        server.stop()
        # The beats wrote through their own MongoClient: put every collection back.
        baseline.restore_everything(connections["default"].database)
