"""Demo posts in bulk, for the demo site and the feed benchmark.

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
from datetime import datetime, timedelta

from bson import ObjectId
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from social.models import Post
from social.services import tag_usage_add, user_stats_add

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


def seed_posts(*, count: int, stdout=None) -> int:
    User = get_user_model()
    author_ids = list(User.objects.visible().values_list("id", flat=True)[:5000]) or [
        u.pk for u in _demo_people()
    ]
    rng = random.Random(2026)
    now = timezone.now()
    image_name = _sample_image(author_ids[0])
    created = 0
    tag_counts: Counter = Counter()
    per_author: Counter = Counter()
    categories = ["text-post", "image-post", "image-text-post"]
    while created < count:
        batch = []
        for _ in range(min(BATCH, count - created)):
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
                media=image_name if category != "text-post" else "",
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
            batch.append(post)
            tag_counts.update(tags)
            per_author[author_id] += 1
        Post.objects.bulk_create(batch)
        created += len(batch)
        if stdout is not None:
            stdout.write(f"  {created:,}/{count:,} posts")
    for name, uses in tag_counts.items():
        tag_usage_add([name], uses)
    for author_id, n in per_author.items():
        user_stats_add(author_id, posts=n)
    return created
