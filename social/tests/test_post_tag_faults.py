"""A post and the counts it moves (its tags' usage, its author's posts, its group's posts) are one
transaction: a database failure on the tag usage after the post's own write leaves neither, so
``social_recount`` finds no drift (issue 18: nothing lost, nothing half-written, under faults)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from modelsnapper.testing import faults
from modelsnapper.testing.factories import UserFactory
from modelsnapper.testing.threads import closes_connections
from social import services
from social.models import Post, Tag
from social.services.repair import counters_recount


def _usage() -> dict[str, int]:
    return dict(Tag.objects.values_list("name", "usage_count"))


def _author_counts(user) -> tuple[int, dict]:
    user.refresh_from_db()
    return user.stats.posts, {k: v for k, v in user.stats.posts_by_category.items() if v}


@pytest.fixture
def tagged(owner):
    """The owner's live text post tagged sea and sky."""
    return services.post_create(author=owner, category="text-post", caption="tide", tags=["sea", "sky"])


def test_a_post_whose_tag_usage_fails_is_not_created_and_moves_no_count(owner):
    group = services.group_create(creator=owner, name="Tide watchers")

    # skip=1: the post is inserted and its author's counts written; the first tag's usage fails.
    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.post_create(author=owner, category="text-post", caption="low tide #sea", group=group)

    assert not Post.objects.filter(author=owner).exists()
    assert _usage() == {}
    assert _author_counts(owner) == (0, {})
    group.refresh_from_db()
    assert group.posts_count == 0
    assert counters_recount(fix=False) == []


def test_an_edit_whose_new_tag_usage_fails_leaves_the_post_and_the_counts_as_they_were(owner, tagged):
    # skip=1: the post's change is written; the new tag's usage fails.
    with faults.failing("update", skip=1, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.post_update(post=tagged, editor=owner, caption="tide", tags=["moon"])

    tagged.refresh_from_db()
    assert tagged.tags == ["sea", "sky"]
    assert _usage() == {"sea": 1, "sky": 1}
    assert counters_recount(fix=False) == []


def test_archiving_a_post_whose_tag_usage_fails_keeps_it_published_and_counted(owner, tagged):
    # skip=2: the status and the author's counts are written; the first tag's usage fails.
    with faults.failing("update", skip=2, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.post_archive(post=tagged, by=owner)

    assert Post.objects.get(pk=tagged.pk).status == Post.Status.PUBLISHED
    assert _usage() == {"sea": 1, "sky": 1}
    assert _author_counts(owner) == (1, {"text-post": 1})
    assert counters_recount(fix=False) == []


def test_a_delete_whose_tag_usage_fails_keeps_the_post_and_its_counts(owner, tagged):
    # skip=2: the post's deletion and the author's counts are written; the first tag's usage fails.
    with faults.failing("update", skip=2, times=5, code=faults.BAD_VALUE), pytest.raises(faults.FAILED):
        services.post_delete(post=tagged, by=owner)

    post = Post.objects.get(pk=tagged.pk)
    assert post.deleted_at is None and post.live
    assert _usage() == {"sea": 1, "sky": 1}
    assert _author_counts(owner) == (1, {"text-post": 1})
    assert counters_recount(fix=False) == []


def test_posts_edits_archives_and_deletes_still_count_their_tags_once(owner, tagged):
    services.post_create(author=owner, category="text-post", caption="again #sea")
    services.post_update(post=tagged, editor=owner, caption="tide", tags=["sky", "moon"])
    draft = services.post_create(author=owner, category="text-post", caption="later #moon", status="draft")
    services.post_publish(post=draft, by=owner)
    services.post_archive(post=draft, by=owner)
    services.post_delete(post=tagged, by=owner)

    assert _usage() == {"sea": 1, "sky": 0, "moon": 0}
    assert _author_counts(owner) == (1, {"text-post": 1})
    assert counters_recount(fix=False) == []


@pytest.mark.slow
def test_posts_racing_to_use_a_new_tag_first_count_it_once_each(db):
    """The first uses of a tag race inside their posts' transactions: a loser (a write conflict,
    or a duplicate key on the embedded server) runs its whole transaction again and counts its
    use on the tag the winner made."""
    authors = [UserFactory() for _ in range(6)]
    barrier = threading.Barrier(len(authors))

    @closes_connections
    def post(author):
        barrier.wait()
        return services.post_create(author=author, category="text-post", caption="first light #brandnew")

    with ThreadPoolExecutor(max_workers=len(authors)) as pool:
        posts = list(pool.map(post, authors))

    assert len({p.pk for p in posts}) == Post.objects.count() == 6
    assert _usage() == {"brandnew": 6}
    assert counters_recount(fix=False) == []
