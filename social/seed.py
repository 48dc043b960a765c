"""Social demo data: a living community for the demo site, and posts in bulk for benchmarks.

``seed_community`` publishes the demo gallery and the landing examples as posts, and
adds follows, likes, comments, groups with posts, stories and articles, all through the
social services and recorded as demo data (``modelsnapper.seeding``), so it runs once
and ``seed_demo --cleanup`` removes exactly that. Images arrive as data (the generation
app's ``Image`` objects): this module does not import the generation app.

``seed_posts`` spreads posts over existing people (creating ten demo people when
there are none), across the last 60 days, with ids whose embedded time matches
``created_at`` (so id order is time order, as for real posts). Engagement numbers
(likes, comments, shares, views) are synthetic: they are not backed by Like or
Comment documents, so ``social_recount`` would reset them to zero.
"""

from __future__ import annotations

import io
import os
import random
import struct
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from bson import ObjectId
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import connections, router
from django.utils import timezone
from PIL import Image

from modelsnapper.seeding import seed_once, seed_record, seed_record_many
from social.models import Article, Follow, Group, Like, Post, Story, Tag
from social.search import terms_for
from social.services import (
    comment_create,
    follow_create,
    group_create,
    group_join,
    like_add,
    post_create,
    post_publish_generation,
    story_create,
    tag_usage_add,
)
from social.services.counters import author_posts_add

BATCH = 2000
TAGS = [
    "aiart",
    "portrait",
    "landscape",
    "sdxl",
    "midjourney",
    "photography",
    "cyberpunk",
    "anime",
    "fantasy",
    "scifi",
    "nature",
    "architecture",
    "fashion",
    "product",
    "neon",
    "vintage",
]
WORDS = [
    "dreamy",
    "neon",
    "city",
    "forest",
    "portrait",
    "golden",
    "hour",
    "robot",
    "ocean",
    "mist",
    "studio",
    "light",
    "render",
    "vibes",
    "experiment",
    "texture",
    "colour",
    "night",
    "sky",
    "glass",
]


def object_id_at(moment: datetime) -> ObjectId:
    """A unique ObjectId whose timestamp is ``moment``."""
    return ObjectId(struct.pack(">I", int(moment.timestamp())) + os.urandom(8))


def _demo_people(count: int = 10) -> list:
    User = get_user_model()
    people = []
    for n in range(count):
        user, _ = User.objects.get_or_create(
            username=f"demo{n}", defaults={"email": f"demo{n}@example.com", "full_name": f"Demo Person {n}"}
        )
        people.append(user)
    return people


def _sample_image(author_id) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (90, 60, 200)).save(buffer, format="PNG")
    return default_storage.save(f"private/{author_id}/posts/seed.png", ContentFile(buffer.getvalue()))


def post_batches(
    *, count: int, author_ids: list, media: str, rng: random.Random, now: datetime
) -> Iterator[list[Post]]:
    """The posts ``seed_posts`` writes, ``BATCH`` at a time: the one place that says what a
    seeded post looks like (its flags and search terms set, as a ``save()`` would)."""
    categories = ["text-post", "image-post", "image-text-post"]
    made = 0
    while made < count:
        batch = []
        for _ in range(min(BATCH, count - made)):
            moment = now - timedelta(seconds=rng.randint(0, 60 * 24 * 3600))
            author_id = rng.choice(author_ids)
            category = rng.choice(categories)
            tags = rng.sample(TAGS, rng.randint(0, 3))
            likes, comments, shares, views = (
                rng.randint(0, 200),
                rng.randint(0, 40),
                rng.randint(0, 10),
                rng.randint(0, 5000),
            )
            visibility = rng.choices(["public", "followers", "private"], weights=[85, 10, 5])[0]
            post = Post(
                id=object_id_at(moment),
                author_id=author_id,
                category=category,
                title=" ".join(rng.sample(WORDS, 3)).title(),
                caption=" ".join(rng.sample(WORDS, 8)) + "".join(f" #{t}" for t in tags),
                media=media if category != "text-post" else "",
                media_type="image/png" if category != "text-post" else "",
                tags=tags,
                visibility=visibility,
                likes_count=likes,
                comments_count=comments,
                shares_count=shares,
                views_count=views,
                hot=20 * likes + 30 * comments + 50 * shares + views,
                created_at=moment,
                updated_at=moment,
                published_at=moment,
            )
            post.compute_flags()
            post.search_terms = terms_for(post)  # bulk writes send no pre_save (social.search)
            batch.append(post)
        made += len(batch)
        yield batch


def post_documents(posts: list[Post]) -> list[dict]:
    """The documents ``Post.objects.bulk_create(posts)`` stores, built the way the backend's
    insert compiler builds them (each field's ``pre_save`` and ``get_db_prep_save``)."""
    connection = connections[router.db_for_write(Post)]
    fields = Post._meta.concrete_fields
    return [
        {field.column: field.get_db_prep_save(field.pre_save(post, True), connection) for field in fields}
        for post in posts
    ]


def seed_posts(
    *,
    count: int,
    stdout=None,
    author_ids: list | None = None,
    record: bool = False,
    fast: bool = False,
    now: datetime | None = None,
) -> int:
    """``count`` posts by ``author_ids`` (default: anyone visible); ``record`` marks them as
    demo data, so ``seed_demo --cleanup`` removes them.

    ``fast`` (benchmarks): the same documents (``post_documents``) are sent with one unordered
    ``insert_many`` per batch from a second thread, while this one builds the next batch. The
    database server's index upkeep (some 70 index entries a post, most of them search terms)
    is most of the time either way; this takes the building off that path.
    """
    User = get_user_model()
    author_ids = (
        author_ids
        or list(User.objects.visible().values_list("id", flat=True)[:5000])
        or [u.pk for u in _demo_people()]
    )
    tags_before = set(Tag.objects.values_list("name", flat=True)) if record else set()
    batches = post_batches(
        count=count,
        author_ids=author_ids,
        media=_sample_image(author_ids[0]),
        rng=random.Random(2026),
        now=now or timezone.now(),
    )
    created = 0
    tag_counts: Counter = Counter()
    per_author: Counter = Counter()
    collection = connections[router.db_for_write(Post)].database[Post._meta.db_table] if fast else None
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending = None
        for batch in batches:
            if fast:
                documents = post_documents(batch)
                if pending is not None:
                    pending.result()  # one batch in flight: an error stops the seeding here
                pending = writer.submit(collection.insert_many, documents, ordered=False)
            else:
                Post.objects.bulk_create(batch)
            if record:
                seed_record_many((f"post:bulk:{post.pk}", post) for post in batch)
            for post in batch:
                tag_counts.update(post.tags)
                per_author[post.author_id, post.category] += 1
            created += len(batch)
            if stdout is not None:
                stdout.write(f"  {created:,}/{count:,} posts")
        if pending is not None:
            pending.result()
    for name, uses in tag_counts.items():
        tag_usage_add([name], uses)
    for (author_id, category), n in per_author.items():
        author_posts_add(author_id, category=category, delta=n)
    if record:
        _record_new_tags(tags_before)
    return created


# --- the demo community ------------------------------------------------------------------

CAPTIONS = [
    "First try with the fast model and I love the colours #aiart",
    "Golden hour, but make it synthetic #landscape",
    "Prompting is half the fun #aiart #experiment",
    "Could not stop generating these #fantasy",
    "Moody and quiet, exactly what I wanted #photography",
    "This one is going on my wall #aiart",
]
COMMENTS = ["Stunning!", "What prompt did you use?", "The light here is perfect.", "Saving this one."]
GROUPS = [
    dict(
        name="Prompt Crafters",
        description="Share prompts that worked, ask why others did not.",
        category=Group.Category.AI_ART,
        visibility=Group.Visibility.PUBLIC,
    ),
    dict(
        name="Synthetic Landscapes",
        description="Mountains, seas and skies that never existed.",
        category=Group.Category.PHOTOGRAPHY,
        visibility=Group.Visibility.PUBLIC,
    ),
    dict(
        name="Studio Shoots",
        description="Catalog photography with models who said yes: lighting, styling, feedback.",
        category=Group.Category.DISCUSSION,
        visibility=Group.Visibility.PRIVATE,
    ),
]
GROUP_POSTS = [
    "Tip: describe the light before the subject and the whole picture follows.",
    "Which aspect ratio do you use for posters?",
]
STORIES = [
    "Trying a new style today ✨",
    "Who else is generating at 2 am?",
]
ARTICLES = [
    dict(
        slug="getting-started-with-modelsnapper",
        title="Getting started with ModelSnapper",
        summary="From your first prompt to your first post in five minutes.",
        body=(
            "## Your first image\n\nOpen **Create**, describe a picture and press Generate. "
            "The cost is shown before you submit, and a failed image is refunded.\n\n"
            "## Share it\n\nFrom the image page, *Publish* puts it on the feed with its prompt and model."
        ),
    ),
    dict(
        slug="models-who-said-yes",
        title="Models who said yes: how the marketplace works",
        summary="Consent, releases and royalties, explained for businesses and models.",
        body=(
            "Every human model on ModelSnapper signed a release and approved each business "
            "that shoots with their likeness. Revoking consent stops new images at once, and "
            "every delivered image earns the model a royalty."
        ),
    ),
    dict(
        slug="writing-better-prompts",
        title="Writing better prompts",
        summary="Subject, light, lens, mood: a checklist that works on every model.",
        body="1. Say what is in the picture.\n2. Say where the light comes from.\n3. Name a lens or a medium.",
    ),
]


def _image_file(image) -> File:
    """A stored image as an upload for a post or story (the service stores its own copy)."""
    with image.file.storage.open(image.file.name, "rb") as handle:
        data = handle.read()
    return File(io.BytesIO(data), name=f"{image.pk}.{(image.file_format or 'png').lower()}")


def seed_community(*, staff, people: list, images: list, examples: list) -> dict[str, int]:
    """Posts with pictures, follows, likes, comments, groups, stories and articles; counts made.

    ``images`` are the demo people's generated images (each published by its owner),
    ``examples`` the landing page's example images (published by their owner, so each
    example opens its post).
    """
    made = {"posts": 0, "groups": 0, "stories": 0, "articles": 0}
    tags_before = set(Tag.objects.values_list("name", flat=True))
    posts = []
    for n, image in enumerate(list(examples) + list(images)):
        caption = CAPTIONS[n % len(CAPTIONS)] if image not in examples else image.prompt
        post, created = seed_once(
            f"post:image:{image.pk}",
            lambda image=image, caption=caption: post_publish_generation(
                author=image.user, image=image, caption=caption
            )[0],
        )
        posts.append(post)
        made["posts"] += created

    for n, person in enumerate(people):
        for other in people[n + 1 : n + 3]:
            if not Follow.objects.filter(follower=other, following=person).exists():
                seed_once(
                    f"follow:{other.username}:{person.username}",
                    lambda other=other, person=person: follow_create(follower=other, following=person),
                )
    for n, post in enumerate(posts):
        fans = [person for person in people if person.pk != post.author_id][: 1 + n % 3]
        for fan in fans:
            if not Like.objects.filter(user=fan, target_type=Like.Target.POST, target_id=post.pk).exists():
                like_add(user=fan, target=post)
        if fans and n % 2 == 0:
            seed_once(
                f"comment:{post.pk}",
                lambda post=post, fan=fans[0], n=n: comment_create(
                    author=fan, post=post, text=COMMENTS[n % len(COMMENTS)]
                ),
            )

    for n, spec in enumerate(GROUPS):
        creator = people[n % len(people)]
        group, created = seed_once(
            f"group:{spec['name']}", lambda creator=creator, spec=spec: group_create(creator=creator, **spec)
        )
        made["groups"] += created
        if created and group.visibility == Group.Visibility.PUBLIC:
            for member in people:
                if member.pk != creator.pk:
                    group_join(user=member, group=group)
        for m, text in enumerate(GROUP_POSTS):
            picture = images[(n + m) % len(images)] if images and m == 0 else None
            _, created = seed_once(
                f"post:group:{group.slug}:{m}",
                lambda group=group, creator=creator, text=text, picture=picture: post_create(
                    author=creator,
                    group=group,
                    category=Post.Category.IMAGE_TEXT if picture else Post.Category.TEXT,
                    caption=text,
                    media=_image_file(picture) if picture else None,
                ),
            )
            made["posts"] += created

    for n, person in enumerate(people[: len(STORIES) + 1]):
        picture = images[n] if n == len(STORIES) and len(images) > n else None
        # A story lives 24 hours: once it is gone, the next run makes a fresh one.
        _, created = seed_once(
            f"story:{person.username}",
            lambda person=person, n=n, picture=picture: story_create(
                author=person,
                kind=Story.Kind.IMAGE if picture else Story.Kind.TEXT,
                text="" if picture else STORIES[n % len(STORIES)],
                media=_image_file(picture) if picture else None,
            ),
        )
        made["stories"] += created

    for spec in ARTICLES:
        if Article.objects.filter(slug=spec["slug"]).exists():
            continue  # staff may have written one under this address: theirs stays
        _, created = seed_once(
            f"article:{spec['slug']}",
            lambda spec=spec: Article.objects.create(author=staff, status=Article.Status.PUBLISHED, **spec),
        )
        made["articles"] += created
    _record_new_tags(tags_before)
    return made


def _record_new_tags(tags_before: set[str]) -> None:
    """Tags that only demo posts brought go with them on cleanup."""
    for tag in Tag.objects.exclude(name__in=tags_before):
        seed_record(f"tag:{tag.name}", tag)
