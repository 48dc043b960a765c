import io
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connections
from django.urls import reverse
from PIL import Image as PILImage

from accounts.models import BusinessProfile, ModelProfile, User
from billing.models import LedgerEntry, Subscription, Wallet
from billing.services import credits_grant
from generation.models import FeedExample, Job
from modelsnapper.models import SeedRecord
from modelsnapper.picture_sources import variants_field_for
from social.models import Article, Group, Post, Story
from social.services import post_create


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_seed_demo_creates_staff_and_users_and_prints_credentials(db, settings):
    settings.DEBUG = True
    output = seed(users=3, images=0)

    assert User.objects.filter(username="admin", is_staff=True, is_superuser=True).exists()
    assert User.objects.filter(username__startswith="demo").count() == 3
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 4
    assert "admin@modelsnapper.local / modelsnapper-demo" in output
    assert User.objects.get(username="demo1").check_password("modelsnapper-demo")
    business, model = User.objects.get(username="demo2"), User.objects.get(username="demo3")
    assert (business.role, model.role) == ("business", "model")
    assert BusinessProfile.objects.get(user=business).business_name == "Demo User 2 Studio"
    assert ModelProfile.objects.get(user=model).display_name == "Demo User 3"


def test_seed_demo_twice_changes_nothing(db, settings):
    settings.DEBUG = True
    seed(users=2, images=0)
    before = sorted(User.objects.values_list("username", "password"))

    output = seed(users=2, images=0)

    assert sorted(User.objects.values_list("username", "password")) == before
    assert "0 demo users created, 2 already present" in output


def test_seed_demo_refuses_a_production_database(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        seed(users=1, images=0)
    assert not User.objects.exists()


def test_seed_demo_tops_posts_up_to_the_number_asked_for(db, settings):
    from social.models import Post

    settings.DEBUG = True
    seed(users=2, posts=30, images=0)
    assert Post.objects.count() == 30

    output = seed(users=2, posts=30, images=0)

    assert Post.objects.count() == 30
    assert "0 demo posts created (30 wanted)" in output


def test_seed_demo_sets_up_a_usable_marketplace_once(db, settings):
    """demo2 (business) may shoot with demo3 (model) right away; a second run adds nothing."""
    from billing.models import LedgerEntry, Wallet
    from generation.marketplace.consent import consent_refusal
    from generation.models import AIAvatar, ConsentRequest

    settings.DEBUG = True
    output = seed(users=3, images=0)
    business, model = User.objects.get(username="demo2"), User.objects.get(username="demo3")
    assert "demo3 (a model) approved" in output
    assert ModelProfile.objects.get(user=model).is_listed
    assert ConsentRequest.objects.get(business_id=business.pk, model_id=model.pk).status == "approved"
    assert consent_refusal(business=business, model=model, category="casual") == ""
    assert Wallet.objects.get(user_id=business.pk).human_model_access
    assert AIAvatar.objects.filter(is_active=True).count() == 2

    counts = (AIAvatar.objects.count(), LedgerEntry.objects.count(), ConsentRequest.objects.count())
    output = seed(users=3, images=0)
    assert "marketplace: 0 avatars, 0 models onboarded, 0 consent approvals created" in output
    assert (AIAvatar.objects.count(), LedgerEntry.objects.count(), ConsentRequest.objects.count()) == counts


# --- a fresh install that looks alive (issue 13 item 13, issue 15 item 10) ----------------
# Four demo users cover the four billing situations (plus, pro, free, trial); one image each
# keeps these tests quick while still making real 1024 px pictures.
ALIVE = dict(users=4, images=1)


def documents() -> dict[str, set]:
    """Every document id in the database, by collection (GridFS files included)."""
    database = connections["default"].database
    return {
        name: {doc["_id"] for doc in database[name].find({}, {"_id": 1})}
        for name in database.list_collection_names()
        if not name.startswith("system.")
    }


def picture(name: str) -> PILImage.Image:
    with default_storage.open(name, "rb") as handle:
        image = PILImage.open(io.BytesIO(handle.read()))
        image.load()
    return image


@pytest.mark.slow
def test_seed_demo_fills_explore_with_image_posts_and_each_landing_example_opens_its_post(
    db, settings, client
):
    settings.DEBUG = True
    seed(**ALIVE)

    image_posts = list(
        Post.objects.filter(visibility="public", group=None, category__in=Post.IMAGE_CATEGORIES)
    )
    assert len(image_posts) >= 10  # six landing examples and one generation per demo user
    sizes = {picture(post.media.name).size for post in image_posts}
    assert (1024, 1024) in sizes  # the gallery's generations are full-size pictures
    explore = client.get(reverse("social:explore")).content.decode()
    assert sum(post.get_absolute_url() in explore for post in image_posts) >= 10

    landing = client.get(reverse("home")).content.decode()
    examples = list(FeedExample.objects.all())
    assert len(examples) == 6
    for example in examples:
        post = Post.objects.get(source_image=str(example.image_id))
        assert f'href="{post.get_absolute_url()}"' in landing
        assert getattr(example.image, variants_field_for(example.image))  # WebP sizes made too

    assert Group.objects.count() == 3 and Post.objects.exclude(group=None).exists()
    assert Story.objects.filter(kind="image").exists() and Story.objects.filter(kind="text").exists()
    assert Article.objects.filter(status="published").count() == 3
    references = ModelProfile.objects.get(user__username="demo3").reference_images
    assert len(references) >= 3 and picture(references[0]).format == "PNG"


@pytest.mark.slow
def test_seed_demo_makes_jobs_in_every_status_and_free_plus_pro_and_trial_accounts_on_a_clean_ledger(
    db, settings
):
    settings.DEBUG = True
    seed(**ALIVE)

    demo1 = User.objects.get(username="demo1")
    assert set(Job.objects.filter(user=demo1).values_list("status", flat=True)) == set(Job.Status.values)
    refunded = Job.objects.filter(user=demo1, status__in=["failed", "canceled", "expired"])
    assert all(job.credits_refunded == job.credits_charged > 0 for job in refunded)
    plans = {
        user.username: (
            Wallet.objects.get(user=user).plan_code,
            getattr(Subscription.objects.filter(user=user).first(), "status", None),
        )
        for user in User.objects.filter(username__startswith="demo")
    }
    assert plans == {
        "demo1": ("plus", "active"),
        "demo2": ("pro", "active"),
        "demo3": ("free", None),
        "demo4": ("plus", "trialing"),
    }
    assert LedgerEntry.objects.filter(user__username="demo2", entry_type="subscription_grant").exists()
    call_command("reconcile_ledger", verbosity=0)  # raises CommandError on any drift


@pytest.mark.slow
def test_seed_demo_twice_makes_nothing_twice(db, settings):
    settings.DEBUG = True
    seed(**ALIVE)
    first = documents()

    seed(**ALIVE)

    assert {name: len(ids) for name, ids in documents().items()} == {
        name: len(ids) for name, ids in first.items()
    }


@pytest.mark.slow
def test_seed_demo_cleanup_removes_every_seeded_document_and_keeps_a_real_accounts_data(db, settings, owner):
    """A real account's post, images and ledger survive; every document and file seeding
    made goes (the plans, packs and AI models stay: they are the deployment's catalogue)."""
    settings.DEBUG = True
    call_command("seed_catalog", verbosity=0)
    credits_grant(user=owner, amount=25, bucket="purchased", entry_type="bonus", idempotency_key="real:bonus")
    real_post = post_create(author=owner, category="text-post", caption="My own words")
    before = documents()
    owner_ledger = set(LedgerEntry.objects.filter(user=owner).values_list("id", flat=True))

    seed(posts=60, **ALIVE)  # with bulk posts too
    assert SeedRecord.objects.count() > 50 and Post.objects.count() == 60
    output = seed(cleanup=True)

    assert "removed demo data" in output
    after = documents()
    changed = {
        name: (len(after.get(name, set()) - ids), len(ids - after.get(name, set())))
        for name, ids in before.items()
        if after.get(name, set()) != ids
    }
    grown = {name: len(ids) for name, ids in after.items() if name not in before and ids}
    assert changed == {} and grown == {}
    assert Post.objects.filter(pk=real_post.pk).exists()
    assert set(LedgerEntry.objects.filter(user=owner).values_list("id", flat=True)) == owner_ledger
    assert not User.objects.filter(username__startswith="demo").exists()
    call_command("reconcile_ledger", verbosity=0)


@pytest.mark.slow
def test_seed_demo_reset_removes_the_demo_data_and_seeds_it_afresh(db, settings):
    settings.DEBUG = True
    seed(**ALIVE)
    counts = {name: len(ids) for name, ids in documents().items()}
    first_demo1 = User.objects.get(username="demo1").pk

    seed(reset=True, **ALIVE)

    assert User.objects.get(username="demo1").pk != first_demo1  # removed, then made again
    assert {name: len(ids) for name, ids in documents().items()} == counts
