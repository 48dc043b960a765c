"""The write actions' round trips, pinned (issues 17 and 18): a like, an unlike, a comment, a
follow, an unfollow, a save and an unsave, each POSTed by a signed-in user in steady state.

Counted twice, as production runs them: the request itself (its notices' e-mail tasks only sent
to the broker, which is the network edge this test stands in for) and the worker's part (those
e-mail tasks run afterwards). Every command sent to the server is one round trip
(modelsnapper.testing.isolation's recorder). Lowering a count is welcome; raising one must be on
purpose, so both directions fail here.
"""

import pytest
from django.core import mail
from django.urls import reverse

from modelsnapper import queue
from modelsnapper.testing.isolation import recorder
from social import services
from social.models import Notification

# (request, worker) round trips; the request's own user is one of the request's.
PINNED = {
    "like": (12, 6),  # the reward check reads the post and its author by _id, not joined
    "unlike": (8, 0),
    "comment": (9, 6),
    "follow": (12, 6),
    "unfollow": (8, 0),
    "save": (9, 0),
    "unsave": (7, 0),
}


class Broker:
    """Tasks sent through the outbox, kept as a broker would until ``run`` runs them here."""

    def __init__(self, send) -> None:
        self.sent: list[tuple] = []
        self._send = send

    def keep(self, task, args, *, task_id: str) -> None:
        self.sent.append((task, args, task_id))

    def run(self) -> None:
        while self.sent:
            task, args, task_id = self.sent.pop(0)
            self._send(task, args, task_id=task_id)


@pytest.fixture
def broker(monkeypatch) -> Broker:
    kept = Broker(queue._send_once)
    monkeypatch.setattr(queue, "_send_once", kept.keep)
    return kept


def _round_trips(client, broker, url, data) -> tuple[int, int]:
    with recorder.commands() as request_side:
        response = client.post(url, data)
    assert response.status_code == 302, url
    with recorder.commands() as worker_side:
        broker.run()
    return len(request_side), len(worker_side)


def test_a_like_a_comment_a_follow_and_a_save_make_the_pinned_round_trips(client, owner, friend, broker):
    post = services.post_create(author=owner, category="text-post", caption="like me")
    warm_up = services.post_create(author=owner, category="text-post", caption="first")
    client.force_login(friend)
    # The first requests record the session and today's visit: measure the steady state.
    client.get(reverse("social:explore"))
    client.post(reverse("social:post_like", args=[warm_up.pk]))
    broker.run()

    actions = {
        "like": (reverse("social:post_like", args=[post.pk]), {}),
        "unlike": (reverse("social:post_like", args=[post.pk]), {}),
        "comment": (reverse("social:comment_create", args=[post.pk]), {"text": "nice"}),
        "follow": (reverse("social:follow_toggle", args=[owner.username]), {}),
        "unfollow": (reverse("social:follow_toggle", args=[owner.username]), {}),
        "save": (reverse("social:post_save", args=[post.pk]), {}),
        "unsave": (reverse("social:post_save", args=[post.pk]), {"remove": "1"}),
    }
    counted = {name: _round_trips(client, broker, url, data) for name, (url, data) in actions.items()}

    assert counted == PINNED


def test_an_opt_out_read_once_by_the_worker_still_sends_no_email_of_that_kind(client, owner, friend, broker):
    post = services.post_create(author=owner, category="text-post", caption="like me")
    services.notification_set_email_optouts(user=owner, kinds_off=["like"])
    client.force_login(friend)
    broker.run()  # the first post's coins and their notice
    mail.outbox = []

    client.post(reverse("social:post_like", args=[post.pk]))
    services.comment_create(author=friend, post=post, text="nice")
    broker.run()

    assert (
        Notification.objects.get(recipient=owner, kind="like").email_status == Notification.EmailStatus.NONE
    )
    assert (
        Notification.objects.get(recipient=owner, kind="comment").email_status
        == Notification.EmailStatus.SENT
    )
    assert [m.to for m in mail.outbox] == [[owner.email]]


def _joins_before_matching(commands) -> list[dict]:
    """Reads whose pipeline starts with a $lookup: the join runs over every document, not the match."""
    return [c for c in commands if c.get("aggregate") and "$lookup" in (c.get("pipeline") or [{}])[0]]


def test_a_like_reads_no_join_over_every_post(client, owner, friend, broker):
    # The reward check once read the post with its author joined, and the backend joins before it
    # matches: each like looked up the author of every post (seconds per like in the soak).
    post = services.post_create(author=owner, category="text-post", caption="like me")
    client.force_login(friend)

    with recorder.commands() as commands:
        assert client.post(reverse("social:post_like", args=[post.pk])).status_code == 302

    assert _joins_before_matching(commands) == []
