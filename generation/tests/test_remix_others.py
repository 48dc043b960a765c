"""Remixing someone else's public image (issue #14 item 12 "earn"): the create page is filled
with its recipe (never their personal model, source photo or the person it shows), the job
records what it remixes, and the image's creator earns coins once per remixer and image."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from billing.models import LedgerEntry, Wallet
from billing.services import wallet_for
from billing.services.coins import remix_earn_key
from generation import services
from generation.models import Job
from modelsnapper.testing.factories import UserFactory
from modelsnapper.testing.factories.generation import ImageFactory, JobFactory
from modelsnapper.testing.html import parse
from modelsnapper.testing.media import png_file
from modelsnapper.testing.threads import closes_connections
from social import services as social

GENERATE = "/generate/"


@pytest.fixture
def alice(db):
    user = UserFactory(username="alice", email="alice@example.com")
    wallet_for(user)
    return user


@pytest.fixture
def alices_job(alice, local_model):
    """Alice's finished job on the local model, started from a photo of hers, with one output."""
    photo = ImageFactory(user=alice)
    return JobFactory(
        user=alice,
        ai_model=local_model,
        prompt="a glass city under the sea",
        seed=31337,
        style="noir",
        aspect_ratio="9:16",
        source_image=photo,
        outputs=1,
    )


@pytest.fixture
def alices_image(alices_job):
    image = alices_job.images.get()
    image.is_public = True
    image.save(update_fields=["is_public"])
    return image


def coins(user) -> int:
    return Wallet.objects.get(user_id=user.pk).coins


def submit(client, **data):
    form = {
        "prompt": "a glass city under the sea",
        "model": "local-fast",
        "aspect_ratio": "9:16",
        "quality": "standard",
        "num_outputs": "1",
        "seed": "31337",
    }
    form.update(data)
    return client.post(GENERATE, form)


def test_the_create_page_is_filled_with_the_recipe_of_someone_elses_public_image(
    client, funded, alices_image, alices_job
):
    client.force_login(funded)
    page = client.get(f"{GENERATE}?remix_image={alices_image.pk}").content.decode()

    assert "a glass city under the sea" in page
    assert 'value="31337"' in page and 'value="noir"' in page
    assert "Remix of @alice&#x27;s image" in page or "Remix of @alice's image" in page
    hidden = [n for n in parse(page).find_all("input") if n.attrs.get("name") == "remix_image"]
    assert [n.attrs["value"] for n in hidden] == [str(alices_image.pk)]
    # Her photo is not offered as a picture to start from, nor is it chosen.
    assert str(alices_job.source_image_id) not in page


def test_a_private_image_of_someone_else_fills_nothing(client, funded, alices_job):
    image = alices_job.images.get()  # not public
    client.force_login(funded)
    page = client.get(f"{GENERATE}?remix_image={image.pk}").content.decode()

    assert "a glass city under the sea" not in page
    assert "Remix of" not in page


def test_remixing_a_public_image_records_it_on_the_job_and_pays_its_creator_once(
    client, funded, alice, alices_image, settings
):
    client.force_login(funded)
    before = coins(alice)

    assert submit(client, remix_image=str(alices_image.pk)).status_code == 302
    job = Job.objects.get(user=funded)
    assert job.remix_of_id == alices_image.pk
    assert coins(alice) == before + settings.COINS_REMIX_EARN
    entry = LedgerEntry.objects.get(
        idempotency_key=remix_earn_key(remixer_id=funded.pk, image_id=alices_image.pk)
    )
    assert (entry.entry_type, entry.amount, entry.user_id) == (
        "coin_earn",
        settings.COINS_REMIX_EARN,
        alice.pk,
    )
    assert "Remix of @alice" in client.get(job.get_absolute_url()).content.decode()

    # The same person remixing the same image again: a new job, no more coins.
    assert submit(client, remix_image=str(alices_image.pk), seed="1").status_code == 302
    assert Job.objects.filter(user=funded, remix_of=alices_image).count() == 2
    assert coins(alice) == before + settings.COINS_REMIX_EARN


def test_remixing_my_own_image_earns_nobody_anything(client, alice, alices_image, local_model):
    from modelsnapper.testing.factories import fund

    fund(alice, 50)
    client.force_login(alice)

    assert submit(client, remix_image=str(alices_image.pk)).status_code == 302
    job = Job.objects.filter(user=alice).exclude(pk=alices_image.job_id).get()
    assert job.remix_of_id is None
    # (Her first generation's reward is paid; a remix earning is not.)
    assert not LedgerEntry.objects.filter(entry_type="coin_earn").exists()


def test_a_refused_remix_pays_nothing(client, owner, alice, alices_image):
    wallet_for(owner)
    Wallet.objects.filter(user_id=owner.pk).update(allowance=0, purchased=0)  # no credits at all
    client.force_login(owner)
    before = coins(alice)

    response = submit(client, remix_image=str(alices_image.pk))

    assert response.status_code == 402
    assert not Job.objects.filter(user=owner).exists()
    assert coins(alice) == before


def test_a_remix_of_an_image_made_private_meanwhile_is_not_recorded_or_paid(
    client, funded, alice, alices_image
):
    client.force_login(funded)
    alices_image.is_public = False
    alices_image.save(update_fields=["is_public"])
    before = coins(alice)

    assert submit(client, remix_image=str(alices_image.pk)).status_code == 302
    assert Job.objects.get(user=funded).remix_of_id is None
    assert coins(alice) == before


def test_an_ai_post_of_someone_else_can_be_remixed_from_its_page(client, funded, alice, alices_job, settings):
    image = alices_job.images.get()  # published in a post, not marked public itself
    post = social.post_create(
        author=alice,
        category="image-post",
        caption="",
        media=png_file(),
        visibility="public",
        ai_details={"model": "Local fast", "prompt": alices_job.prompt, "generation_id": str(alices_job.pk)},
        source_image=str(image.pk),
    )
    before = coins(alice)
    client.force_login(funded)

    page = client.get(f"{GENERATE}?remix_post={post.pk}").content.decode()
    assert "a glass city under the sea" in page and "Remix of @alice" in page

    assert submit(client, remix_post=str(post.pk)).status_code == 302
    assert Job.objects.get(user=funded).remix_of_id == image.pk
    assert coins(alice) == before + settings.COINS_REMIX_EARN


def test_concurrent_remixes_by_one_person_pay_the_creator_once(
    funded, alice, alices_image, local_model, settings
):
    before = coins(alice)

    @closes_connections
    def remix(seed):
        return services.job_submit(
            user=funded,
            ai_model=local_model,
            prompt="a glass city under the sea",
            parameters=services.JobParameters(seed=seed),
            remix_of=alices_image,
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = list(pool.map(remix, range(4)))

    assert len({job.pk for job in jobs}) == 4
    assert coins(alice) == before + settings.COINS_REMIX_EARN
    assert LedgerEntry.objects.filter(entry_type="coin_earn", user_id=alice.pk).count() == 1
