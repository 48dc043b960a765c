"""The benchmarks' fast seeding stores exactly what ``bulk_create`` would (issue 17: the 100k
column): same documents, same counters, posts found by the same pages."""

from __future__ import annotations

import random

import bson
import pytest
from django.db import connections
from django.utils import timezone

from accounts.models import User
from social import search, seed
from social.models import Post, Tag
from social.seed import post_batches, post_documents, seed_posts


def _collection():
    return connections["default"].database[Post._meta.db_table]


def _stored(posts: list[Post]) -> list[dict]:
    found = {d["_id"]: d for d in _collection().find({"_id": {"$in": [p.pk for p in posts]}})}
    return [found[p.pk] for p in posts]


def _as_stored(document: dict) -> dict:
    """A document as the server gives it back (BSON keeps milliseconds)."""
    return bson.decode(bson.encode(document), codec_options=_collection().codec_options)


def test_the_fast_path_documents_are_the_documents_bulk_create_stores(owner, friend):
    posts = next(
        post_batches(
            count=40,
            author_ids=[owner.pk, friend.pk],
            media="private/x/posts/seed.png",
            rng=random.Random(7),
            now=timezone.now(),
        )
    )
    documents = [_as_stored(d) for d in post_documents(posts)]
    Post.objects.bulk_create(posts)
    assert _stored(posts) == documents
    assert {p.category for p in posts} == {"text-post", "image-post", "image-text-post"}


def _stats(*people) -> dict:
    users = connections["default"].database[User._meta.db_table]
    return {u["_id"]: u.get("stats") for u in users.find({"_id": {"$in": [p.pk for p in people]}})}


@pytest.mark.slow
def test_fast_seeding_writes_the_posts_and_counters_that_plain_seeding_writes(owner, friend, monkeypatch):
    monkeypatch.setattr(seed, "BATCH", 50)  # three batches, one of them in flight while the next is built
    now = timezone.now()
    before = _stats(owner, friend)
    seed_posts(count=120, author_ids=[owner.pk, friend.pk], now=now)
    plain = sorted(Post.objects.values_list("title", "caption", "author_id", "visibility", "listed"))
    plain_tags = dict(Tag.objects.values_list("name", "usage_count"))
    plain_stats = _stats(owner, friend)
    assert plain_stats != before
    Post.objects.all().delete()
    Tag.objects.all().delete()
    users = connections["default"].database[User._meta.db_table]
    for pk, stats in before.items():
        users.update_one({"_id": pk}, {"$set": {"stats": stats}})

    assert seed_posts(count=120, author_ids=[owner.pk, friend.pk], now=now, fast=True) == 120

    assert sorted(Post.objects.values_list("title", "caption", "author_id", "visibility", "listed")) == plain
    assert dict(Tag.objects.values_list("name", "usage_count")) == plain_tags
    assert _stats(owner, friend) == plain_stats
    post = Post.objects.filter(listed=True).order_by("-id").first()
    assert post.search_terms == search.terms_for(post)
    word = max(search.words(post.caption), key=len)
    found = search.search(friend, query=word).page.items
    assert post.pk in [p.pk for p in found]
