"""In a real browser: a business requests consent, the model approves, the business generates
with that model on /generate/, the model sees the royalty."""

import pytest

from generation.models import ConsentRequest, Job
from modelsnapper.testing.browser import browser_page, sign_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def test_business_requests_model_approves_business_generates_model_sees_royalty(
    live_server,
    browser_page,  # noqa: F811
    market_business,
    signed_model,
    local_model,
    password,
):
    page = browser_page
    sign_in(page, live_server.url, market_business.email, password)
    page.goto(f"{live_server.url}/generation/marketplace/")
    page.locator("button", has_text="Request consent").first.click()
    page.wait_for_load_state()
    assert page.locator(".badge", has_text="Requested").count() == 1
    request = ConsentRequest.objects.get(business_id=market_business.pk, model_id=signed_model.pk)

    sign_in(page, live_server.url, signed_model.email, password)
    page.goto(f"{live_server.url}/generation/marketplace/inbox/")
    page.locator("button", has_text="Approve").first.click()
    page.wait_for_load_state()
    request.refresh_from_db()
    assert request.status == "approved"

    sign_in(page, live_server.url, market_business.email, password)
    page.goto(f"{live_server.url}/generate/")
    page.fill("textarea[name=prompt]", "Denim jacket, studio light")
    page.select_option("select[name=model]", local_model.slug)
    page.get_by_label("Model or avatar").select_option(f"model:{signed_model.pk}")
    page.get_by_label("Catalog category").select_option("casual")
    page.locator("form.gen-form button[type=submit]").click()
    # The create page submits in place: the job's card appears in the results panel.
    card = page.locator("#gen-results .create-card").first
    card.wait_for()
    job = Job.objects.get(user_id=market_business.pk)
    assert card.get_attribute("id") == f"job-card-{job.pk}"
    assert job.status == "completed" and job.human_model_id == signed_model.pk

    sign_in(page, live_server.url, signed_model.email, password)
    page.goto(f"{live_server.url}/generation/marketplace/royalties/")
    assert page.locator(".royalty-pending").inner_text() == "$1.00"
    assert page.locator(f'a[href="/generation/marketplace/licenses/{job.pk}/"]').count() >= 1
