"""A shaped newest-first read sorts the documents as they are (issue 17 item 2).

The backend adds ``{$addFields: {_id: "$_id"}}`` before a ``$sort`` on a model field: it copies
a field onto itself, which changes nothing on any MongoDB, and on SecantusDB it rewrites every
document of the window before the sort (about two thirds more time for explore's posts read
than the same read without it, ``benchmarks/social_feeds.py``). Shaped queries leave it out;
the rows and their order are the ones the unshaped query returns.
"""

from __future__ import annotations

from django.test import override_settings

from modelsnapper.testing.isolation import recorder
from social.models import Post
from social.seed import seed_posts


def _read(queryset) -> tuple[list, list]:
    """(the pipeline sent, the ids read) for ``queryset``."""
    with recorder.commands() as commands:
        ids = [post.pk for post in queryset]
    (command,) = [c for c in commands if c.get("aggregate") == Post._meta.db_table]
    return command["pipeline"], ids


def test_a_newest_first_read_sends_no_stage_that_copies_a_field_onto_itself_and_finds_the_same_rows(db):
    seed_posts(count=30)
    orderings = [("-id",), ("-quality_score", "-id"), ("category", "-id")]
    for ordering in orderings:
        queryset = Post.objects.filter(listed=True).order_by(*ordering)[:21]
        pipeline, ids = _read(queryset)
        assert not [stage for stage in pipeline if "$addFields" in stage], (ordering, pipeline)
        with override_settings(QUERY_MERGE_AND=False):
            unshaped_pipeline, unshaped_ids = _read(Post.objects.filter(listed=True).order_by(*ordering)[:21])
        assert [stage for stage in unshaped_pipeline if "$addFields" in stage]  # what the backend sends
        assert ids == unshaped_ids and len(ids) == 21
