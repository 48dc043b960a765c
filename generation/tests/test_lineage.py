"""The image page's lineage and "made from this image" (issue 10, items 18 and the query-count pin)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from generation import selectors
from generation.models import Image
from modelsnapper.testing.factories import ImageFactory


def _image(user, *, parent=None, delivered=True, image_type=Image.Type.EDITED) -> Image:
    root = (parent.original or parent) if parent else None
    return ImageFactory(
        user=user,
        image_type=image_type if parent else Image.Type.UPLOADED,
        parent=parent,
        original=root,
        delivered=delivered,
    )


def _chain(user, length: int) -> list[Image]:
    images = [_image(user)]
    for _ in range(length - 1):
        images.append(_image(user, parent=images[-1]))
    return images


def _lineage_queries(image) -> tuple[list[Image], int]:
    with CaptureQueriesContext(connection) as queries:
        chain = selectors.lineage(image)
    return chain, len(queries)


def test_the_lineage_takes_one_query_however_long_it_is(owner):
    short = _chain(owner, 3)
    long = _chain(owner, 30)

    short_chain, short_queries = _lineage_queries(short[-1])
    long_chain, long_queries = _lineage_queries(long[-1])

    assert [image.pk for image in short_chain] == [image.pk for image in short]
    assert [image.pk for image in long_chain] == [image.pk for image in long]
    assert short_queries == long_queries == 1


def test_the_lineage_of_a_middle_image_stops_at_it_and_skips_its_siblings(owner):
    chain = _chain(owner, 5)
    _image(owner, parent=chain[1])  # a sibling branch of chain[2]

    assert [image.pk for image in selectors.lineage(chain[2])] == [image.pk for image in chain[:3]]
    assert [image.pk for image in selectors.lineage(chain[0])] == [chain[0].pk]


def test_undelivered_outputs_are_not_listed_on_the_parent_images_page(client, owner):
    parent = _image(owner)
    shown = _image(owner, parent=parent)
    withheld = _image(owner, parent=parent, delivered=False)  # a job's output not delivered (yet, or ever)
    client.force_login(owner)

    page = client.get(parent.get_absolute_url()).content.decode()

    assert reverse("generation:image", args=[shown.pk]) in page
    assert reverse("generation:image", args=[withheld.pk]) not in page
    assert reverse("generation:image_file", args=[withheld.pk]) not in page
