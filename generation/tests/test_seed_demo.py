from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import BusinessProfile, ModelProfile, User


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def test_seed_demo_creates_staff_and_users_and_prints_credentials(db, settings):
    settings.DEBUG = True
    output = seed(users=3)

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
    seed(users=2)
    before = sorted(User.objects.values_list("username", "password"))

    output = seed(users=2)

    assert sorted(User.objects.values_list("username", "password")) == before
    assert "0 demo users created, 2 already present" in output


def test_seed_demo_refuses_a_production_database(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        seed(users=1)
    assert not User.objects.exists()


def test_seed_demo_tops_posts_up_to_the_number_asked_for(db, settings):
    from social.models import Post

    settings.DEBUG = True
    seed(users=2, posts=30)
    assert Post.objects.count() == 30

    output = seed(users=2, posts=30)

    assert Post.objects.count() == 30
    assert "0 demo posts created (30 wanted)" in output


def test_seed_demo_sets_up_a_usable_marketplace_once(db, settings):
    """demo2 (business) may shoot with demo3 (model) right away; a second run adds nothing."""
    from billing.models import LedgerEntry, Wallet
    from generation.marketplace.consent import consent_refusal
    from generation.models import AIAvatar, ConsentRequest

    settings.DEBUG = True
    output = seed(users=3)
    business, model = User.objects.get(username="demo2"), User.objects.get(username="demo3")
    assert "demo3 (a model) approved" in output
    assert ModelProfile.objects.get(user=model).is_listed
    assert ConsentRequest.objects.get(business_id=business.pk, model_id=model.pk).status == "approved"
    assert consent_refusal(business=business, model=model, category="casual") == ""
    assert Wallet.objects.get(user_id=business.pk).human_model_access
    assert AIAvatar.objects.filter(is_active=True).count() == 2

    counts = (AIAvatar.objects.count(), LedgerEntry.objects.count(), ConsentRequest.objects.count())
    output = seed(users=3)
    assert "marketplace: 0 avatars, 0 models onboarded, 0 consent approvals created" in output
    assert (AIAvatar.objects.count(), LedgerEntry.objects.count(), ConsentRequest.objects.count()) == counts
