"""What a generation costs follows what it makes (issue 10, item 8; seed 004: the quota counts images).

One rule (``generation.pricing.job_cost``): the model's price per image × the number of
images × ``GENERATION_HD_MULTIPLIER`` for HD. Submit, the form and refunds all use it.
"""

import json

from django.utils.html import escape

from billing.models import LedgerEntry
from generation import services
from generation.models import AIModel, Job
from modelsnapper.testing.factories import AIAvatarFactory, AIModelFactory
from modelsnapper.testing.money import balance

from .helpers import edit, upload

GENERATE = "/generate/"


def post(client, **data):
    form = {"prompt": "a red fox", "model": "local-fast", "aspect_ratio": "1:1", "quality": "standard"}
    form.update(data)
    return client.post(GENERATE, form)


def test_a_job_is_charged_the_price_per_image_times_the_images_times_the_hd_multiplier(
    client, funded, local_model, settings
):
    settings.GENERATION_HD_MULTIPLIER = 2
    client.force_login(funded)
    before = balance(funded)

    post(client, num_outputs="3", quality="hd")

    job = Job.objects.get()
    assert job.credits_charged == 2 * 3 * 2
    assert balance(funded) == before - 12
    assert LedgerEntry.objects.get(idempotency_key=job.charge_key).amount == -12


def test_the_free_plan_buys_ten_standard_images_not_forty(client, owner, settings):
    from billing.services import wallet_for

    AIModelFactory(slug="local-fast", provider="local", credit_cost=1)
    wallet_for(owner)  # 10 free credits
    client.force_login(owner)

    assert post(client, num_outputs="4").status_code == 302
    assert post(client, num_outputs="4").status_code == 302
    refused = post(client, num_outputs="4")

    assert refused.status_code == 402
    assert balance(owner) == 2
    assert sum(Job.objects.values_list("num_outputs", flat=True)) == 8


def test_a_failed_job_refunds_exactly_what_it_was_charged(funded, local_model, settings):
    settings.GENERATION_HD_MULTIPLIER = 3
    local_model.default_parameters = {"local_behaviour": "fail"}
    local_model.save()
    before = balance(funded)

    job = services.job_submit(
        user=funded,
        ai_model=local_model,
        prompt="x",
        parameters=services.JobParameters(num_outputs=2, quality=Job.Quality.HD),
    )

    job.refresh_from_db()
    assert job.credits_charged == 12 and job.credits_refunded == 12
    assert balance(funded) == before


def test_a_job_keeps_its_charge_when_prices_change_before_its_refund(funded, local_model, settings):
    local_model.default_parameters = {"local_behaviour": "hang"}
    local_model.save()
    before = balance(funded)
    job = services.job_submit(
        user=funded, ai_model=local_model, prompt="x", parameters=services.JobParameters(num_outputs=2)
    )
    AIModel.objects.filter(pk=local_model.pk).update(credit_cost=7)
    settings.GENERATION_HD_MULTIPLIER = 5

    services.job_cancel(job=job)

    job.refresh_from_db()
    assert job.credits_charged == 4 and job.credits_refunded == 4
    assert balance(funded) == before


def test_an_edit_costs_the_edit_models_price_for_its_one_image(client, funded, edit_model):
    client.force_login(funded)
    before = balance(funded)

    edit(client, upload=upload())

    assert Job.objects.get().credits_charged == 3 and balance(funded) == before - 3


def test_a_marketplace_job_is_charged_per_image_too(market_business, local_model, settings):
    avatar = AIAvatarFactory(name="Ava")
    before = balance(market_business)

    job = services.job_submit(
        user=market_business,
        ai_model=local_model,
        prompt="coat",
        avatar=avatar,
        parameters=services.JobParameters(num_outputs=4),
    )

    assert job.credits_charged == 8 and balance(market_business) == before - 8


def test_the_generate_page_shows_the_cost_and_how_it_is_worked_out_before_submit(
    client, funded, local_model, settings
):
    from django.contrib.staticfiles import finders

    settings.GENERATION_HD_MULTIPLIER = 2
    client.force_login(funded)

    page = client.get(GENERATE).content.decode()

    assert "Cost: <output" in page and "2 credits" in page  # one standard image of Local fast
    assert "per image" in page and "HD costs 2×" in page  # the rule, for pages without scripts
    # Every amount the page's script may show, worked out by job_cost: 1–4 images, standard and HD.
    costs = json.dumps({"standard": [2, 4, 6, 8], "hd": [4, 8, 12, 16]}, separators=(",", ":"))
    assert f'data-costs="{escape(costs)}"' in page
    assert "js/generation-cost.js" in page and finders.find("js/generation-cost.js")


def test_a_refused_form_shows_the_cost_of_what_was_asked(client, funded, local_model, settings):
    settings.GENERATION_HD_MULTIPLIER = 2
    client.force_login(funded)

    page = post(client, prompt="", num_outputs="3", quality="hd").content.decode()

    assert "12 credits" in page
