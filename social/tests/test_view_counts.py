"""A post's view count (and with it ``hot``) counts each viewer once a day."""

import threading
from datetime import timedelta

from django.db import connections
from django.utils import timezone

from social import services
from social.models import Post, PostView


def _views(post):
    post = Post.objects.get(pk=post.pk)
    return post.views_count, post.hot


def test_repeated_anonymous_views_count_once_per_visitor_per_day(client, make_post):
    post = make_post()

    for _ in range(5):
        assert client.get(post.get_absolute_url(), HTTP_USER_AGENT="curl/8").status_code == 200

    assert _views(post) == (1, 1)
    # Another address (or another browser) is another visitor.
    client.get(post.get_absolute_url(), HTTP_USER_AGENT="curl/8", REMOTE_ADDR="10.0.0.9")
    client.get(post.get_absolute_url(), HTTP_USER_AGENT="Firefox")
    assert _views(post) == (3, 3)


def test_a_signed_in_viewer_counts_once_whatever_address_they_use(client, friend, make_post):
    post = make_post()
    client.force_login(friend)

    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        client.get(post.get_absolute_url(), REMOTE_ADDR=address)

    assert _views(post) == (1, 1)


def test_the_same_viewer_counts_again_the_next_day(friend, make_post):
    post = make_post()
    today = timezone.now()

    services.post_record_view(post=post, viewer=friend, client_key="ignored", at=today)
    services.post_record_view(post=post, viewer=friend, client_key="ignored", at=today)
    services.post_record_view(post=post, viewer=friend, client_key="ignored", at=today + timedelta(days=1))

    assert _views(post) == (2, 2)


def test_concurrent_views_by_one_visitor_count_once(friend, make_post):
    post = make_post()
    barrier = threading.Barrier(8)

    def view():
        try:
            barrier.wait()
            services.post_record_view(post=post, viewer=friend, client_key="")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=view) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert _views(post) == (1, 1)


def test_view_records_expire_by_ttl_index(db):
    indexes = connections["default"].database[PostView._meta.db_table].index_information()
    ttl = [spec for spec in indexes.values() if "expireAfterSeconds" in spec]
    assert ttl and ttl[0]["key"] == [("day", 1)] and ttl[0]["expireAfterSeconds"] > 0
