"""The quality score of AI images (issue 14, item 8): measured once, explained, sortable on explore."""

from __future__ import annotations

import io
import json
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image as PILImage
from PIL import ImageFilter

from generation import quality, services
from generation.models import Image, Job
from modelsnapper.testing.factories import PostFactory
from modelsnapper.testing.html import parse
from social import selectors
from social import services as social_services
from social.models import Post
from social.selectors import feeds


def _png(picture: PILImage.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def sharp_colourful(size=(192, 192), seed=7) -> PILImage.Image:
    """Saturated colour blocks with crisp edges and fine detail."""
    rng = random.Random(seed)
    picture = PILImage.new("RGB", size)
    palette = [(230, 40, 40), (40, 200, 60), (40, 70, 230), (240, 210, 30), (200, 40, 200), (30, 200, 210)]
    block = 12
    for x in range(0, size[0], block):
        for y in range(0, size[1], block):
            picture.paste(rng.choice(palette), (x, y, x + block, y + block))
    return picture


def blurred_grey(size=(192, 192)) -> PILImage.Image:
    picture = PILImage.linear_gradient("L").resize(size).convert("RGB")
    picture = PILImage.blend(picture, PILImage.new("RGB", size, (128, 128, 128)), 0.8)
    return picture.filter(ImageFilter.GaussianBlur(6))


def _measure(picture: PILImage.Image) -> float:
    return quality.image_measure(io.BytesIO(_png(picture)))


# --- The measure -------------------------------------------------------------------------------


def test_the_same_image_always_gets_the_same_score():
    data = _png(sharp_colourful())
    first = quality.image_measure(io.BytesIO(data))
    assert [quality.image_measure(io.BytesIO(data)) for _ in range(3)] == [first] * 3
    assert quality.image_measure(PILImage.open(io.BytesIO(data))) == first
    assert quality.quality_score(first, 4) == quality.quality_score(first, 4)


def test_a_sharp_colourful_image_scores_higher_than_a_blurred_grey_one():
    sharp = quality.measure_picture(sharp_colourful())
    blurred = quality.measure_picture(blurred_grey())
    assert sharp.sharpness > blurred.sharpness
    assert sharp.colourfulness > blurred.colourfulness
    assert blurred.colourfulness == 0  # grey has no colour at all
    assert (
        quality.quality_score(_measure(sharp_colourful()))
        > quality.quality_score(_measure(blurred_grey())) + 2
    )


def test_exposure_prefers_mid_grey_to_black_or_blown_out_white():
    mid = quality.measure_picture(PILImage.new("RGB", (64, 64), (128, 128, 128))).exposure
    black = quality.measure_picture(PILImage.new("RGB", (64, 64), (0, 0, 0))).exposure
    white = quality.measure_picture(PILImage.new("RGB", (64, 64), (255, 255, 255))).exposure
    assert mid == 1 and black == 0 and white == 0


EXTREMES = {
    "black": PILImage.new("RGB", (64, 64), (0, 0, 0)),
    "white": PILImage.new("RGB", (64, 64), (255, 255, 255)),
    "one pixel": PILImage.new("RGB", (1, 1), (255, 0, 0)),
    "noise": PILImage.effect_noise((300, 200), 120).convert("RGB"),
    "transparent": PILImage.new("RGBA", (40, 40), (255, 0, 255, 0)),
    "palette": sharp_colourful((70, 50)).convert("P"),
    "tall": sharp_colourful((20, 900)),
    "sharp and colourful": sharp_colourful(),
}


@pytest.mark.parametrize("name", list(EXTREMES))
@pytest.mark.parametrize("rating", [None, 1, 3, 5])
def test_scores_stay_between_0_and_10_whatever_the_picture_and_rating(name, rating):
    measures = quality.measure_picture(EXTREMES[name])
    for value in (measures.sharpness, measures.exposure, measures.colourfulness):
        assert 0 <= value <= 1
    score = quality.quality_score(quality.image_measure(EXTREMES[name]), rating)
    assert 0 <= score <= 10


def test_the_score_is_the_image_measure_unless_rated_and_then_stars_count_for_a_fifth():
    assert quality.quality_score(0.5) == 5.0
    assert quality.quality_score(0.5, 5) == 6.0  # 10 × (0.8 × 0.5 + 0.2 × 1)
    assert quality.quality_score(0.5, 1) == 4.0  # 10 × (0.8 × 0.5 + 0.2 × 0)
    assert quality.quality_score(None, 5) is None  # nothing measured: nothing to show


# --- Stored with the output, copied to a post, following a rating -------------------------------


@pytest.fixture
def generated(client, owner, funded, local_model):
    client.force_login(owner)
    response = client.post(
        "/generate/",
        {
            "prompt": "a lighthouse at dusk",
            "model": local_model.slug,
            "aspect_ratio": "1:1",
            "quality": "standard",
            "num_outputs": 1,
            "seed": 42,
        },
    )
    assert response.status_code == 302
    return Image.objects.get(job__user=owner)


def test_a_generated_output_is_scored_once_when_it_is_stored(generated):
    with generated.file.open("rb") as handle:
        expected = quality.image_measure(handle)
    assert generated.quality_measure == expected
    assert generated.quality_score == quality.quality_score(expected)
    assert 0 <= generated.quality_score <= 10


def test_the_image_page_shows_the_score_and_says_what_it_measures(client, generated):
    page = parse(client.get(reverse("generation:image", args=[generated.pk])).content.decode())
    text = page.find("p", "quality-score").text
    assert f"Quality score {generated.quality_score:.1f}/10" in text
    assert "sharpness, exposure and colour" in text and "not a judgement of taste" in text


def test_a_published_image_s_post_carries_its_score_and_shows_it(client, owner, generated):
    post, _ = social_services.post_publish_generation(author=owner, image=generated)
    assert post.quality_score == generated.quality_score
    assert Post.objects.get(pk=post.pk).quality_score == generated.quality_score
    page = parse(client.get(post.get_absolute_url()).content.decode())
    assert f"Quality score {generated.quality_score:.1f}/10" in page.find("p", "quality-score").text


def test_rating_the_job_moves_the_score_of_its_images_and_their_posts(owner, generated):
    post, _ = social_services.post_publish_generation(author=owner, image=generated)
    services.job_rate(job=generated.job, rating=5)
    rated = quality.quality_score(generated.quality_measure, 5)
    assert rated != generated.quality_score
    assert Image.objects.get(pk=generated.pk).quality_score == rated
    assert Post.objects.get(pk=post.pk).quality_score == rated


def test_the_backfill_scores_ai_images_stored_before_scores_existed(generated):
    Image.objects.filter(pk=generated.pk).update(quality_measure=None, quality_score=None)
    Job.objects.filter(pk=generated.job_id).update(rating=3)

    call_command("quality_backfill", "--dry-run", stdout=io.StringIO())
    assert Image.objects.get(pk=generated.pk).quality_measure is None

    out = io.StringIO()
    call_command("quality_backfill", stdout=out)
    image = Image.objects.get(pk=generated.pk)
    with image.file.open("rb") as handle:
        assert image.quality_measure == quality.image_measure(handle)
    assert image.quality_score == quality.quality_score(image.quality_measure, 3)
    assert "Scored 1 image" in out.getvalue()
    assert not quality.images_to_measure().exists()


# --- Explore sorted by quality -----------------------------------------------------------------


def _scored(owner, score, **fields) -> Post:
    post = PostFactory(author=owner, **fields)
    Post.objects.filter(pk=post.pk).update(quality_score=score)
    return post


def test_explore_by_quality_orders_by_score_then_newest_and_pages_without_gaps(owner, stranger):
    scores = [3.0, 9.5, 5.0, 9.5, 0.0, 7.2, 5.0, 5.0]
    made = [_scored(owner, score, caption=f"scored {n}") for n, score in enumerate(scores)]
    PostFactory(author=owner, caption="not an AI image")  # no score: not in this order
    expected = [
        post.pk
        for _, post in sorted(zip(scores, made, strict=True), key=lambda sp: (sp[0], sp[1].pk), reverse=True)
    ]

    seen, cursor = [], None
    while True:
        page = selectors.explore_feed(stranger, sort="quality", cursor=cursor)
        seen += [p.pk for p in page.items]
        if not page.has_more:
            break
        cursor = page.next_cursor
    assert seen == expected  # one page

    rows, cursor, pages = [], None, 0
    while True:
        chunk, cursor = feeds.keyset(
            Post.objects.filter(listed=True),
            cursor,
            size=3,
            read=feeds.best_quality_before,
        )
        rows += [p.pk for p in chunk]
        pages += 1
        if not cursor:
            break
    assert rows == expected and pages == 3  # ties on 5.0 and 9.5 cross page boundaries cleanly


def test_the_explore_page_offers_highest_quality_and_keeps_it_when_loading_more(client, owner, stranger):
    for n in range(25):
        _scored(owner, n / 3, caption=f"scored {n}")
    client.force_login(stranger)
    response = client.get(reverse("social:explore") + "?sort=quality")
    items = response.context["page"].items
    assert [p.quality_score for p in items] == sorted((p.quality_score for p in items), reverse=True)
    page = parse(response.content.decode())
    current = [a for a in page.find("nav", "feed-sorting").find_all("a") if "aria-current" in a.attrs]
    assert [a.text for a in current] == ["Highest quality"]
    more = page.find("div", "load-more").find("a").attrs["href"]
    assert "sort=quality" in more
    second = client.get(reverse("social:explore") + more, HTTP_HX_REQUEST="true")
    assert second.status_code == 200
    assert not {p.pk for p in second.context["page"].items} & {p.pk for p in items}


def test_a_cursor_that_is_not_a_scored_post_is_a_404(client, owner, stranger):
    unscored = PostFactory(author=owner)
    response = client.get(reverse("social:explore") + f"?sort=quality&cursor={unscored.pk}")
    assert response.status_code == 404


def _stages(plan) -> list[str]:
    found = [plan.get("stage")]
    for key in ("inputStage", "queryPlan"):
        if isinstance(plan.get(key), dict):
            found += _stages(plan[key])
    for child in plan.get("inputStages", []):
        found += _stages(child)
    return found


def test_the_quality_order_reads_are_index_scans_with_one_filter_document(owner, stranger):
    """Every read of the order is one filter document (no top-level "$and", which SecantusDB
    would scan) and the server serves it from the ``post_listed_quality`` index."""
    posts = [_scored(owner, score) for score in (6.5, 6.5, 2.0)]
    with CaptureQueriesContext(connection) as ctx:
        feeds.best_quality_before(Post.objects.filter(listed=True), None, 21)
        feeds.best_quality_before(Post.objects.filter(listed=True), posts[1].pk, 21)
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("db.social_post.aggregate")]
    assert len(reads) == 4  # first page; then the cursor's score, its ties, the lower scores
    assert not any("$and" in sql for sql in reads), reads

    collection = connection.get_collection("social_post")
    order = [("quality_score", -1), ("_id", -1)]
    for match in (
        {"listed": True, "quality_score": {"$gt": -1}},
        {"listed": True, "quality_score": 6.5, "_id": {"$lt": posts[1].pk}},
        {"listed": True, "quality_score": {"$lt": 6.5}},
    ):
        plan = collection.find(match).sort(order).limit(21).explain()["queryPlanner"]["winningPlan"]
        assert "IXSCAN" in _stages(plan), plan
        assert "COLLSCAN" not in _stages(plan), plan
        assert "post_listed_quality" in json.dumps(plan, default=str)
