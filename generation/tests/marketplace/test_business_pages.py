"""Business pages of the marketplace (issue 5 item 7): the filtered model list, my consent
requests, generation history per model or avatar, invoices joined to usage.

People: ``market_business`` (the ``business`` persona, funded) is whose pages these are;
``other_business`` (a second business account) has its own requests, jobs and
invoices, which must never show on the first one's pages; ``signed_model`` (the
``model`` persona) is a listed human model.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from accounts.models import ModelProfile, User
from billing.models import Invoice
from generation.marketplace import selectors as marketplace_selectors
from generation.models import AIAvatar, ConsentRequest, Job
from modelsnapper.testing.factories import (
    AIAvatarFactory,
    ConsentRequestFactory,
    JobFactory,
    ModelProfileFactory,
    UserFactory,
)

MARKET = "/generation/marketplace/"
REQUESTS = "/generation/marketplace/requests/"
USAGE = "/generation/marketplace/history/"
INVOICES = "/generation/marketplace/invoices/"
HUMAN = Job.ModelType.HUMAN_MODEL
AVATAR = Job.ModelType.AI_AVATAR


@pytest.fixture
def other_business(db):
    """A second business account."""
    return UserFactory(username="other-business", email="other-business@example.com", role=User.Role.BUSINESS)


@pytest.fixture
def fiona(signed_model):
    """The signed model under a known display name."""
    ModelProfile.objects.filter(user_id=signed_model.pk).update(display_name="Fiona Friend")
    return signed_model


def listed_model(name: str, *, refused=(), expires_on=None) -> User:
    """Another listed human model, made directly (no uploads)."""
    return ModelProfileFactory(
        user=UserFactory(role=User.Role.MODEL, full_name=name),
        display_name=name,
        consent_signed=True,
        reference_images=["a.png", "b.png", "c.png"],
        refused_categories=list(refused),
        consent_expires_on=expires_on,
    ).user


def make_job(business, ai_model, *, human=None, avatar=None, status="completed", ago=timedelta(0), **fields):
    """A marketplace job of ``business``'s with ``human`` or ``avatar`` in it, submitted ``ago``."""
    values = {
        "credits_charged": 2,
        "model_type": HUMAN if human is not None else AVATAR,
        "royalty_cents": 100 if human is not None and status == "completed" else 0,
        **fields,
    }
    return JobFactory(
        user=business,
        ai_model=ai_model,
        status=status,
        submitted_at=timezone.now() - ago,
        human_model=human,
        avatar=avatar,
        **values,
    )


def titles(response) -> list[str]:
    return re.findall(r'<h2 class="market-card-title">([^<]*)</h2>', response.text)


# --- the model list ----------------------------------------------------------------


@pytest.fixture
def catalog(fiona, market_business):
    """Fiona (approved by the business), Alice (refuses swimwear), Bob, Carla (expired), avatar Ava."""
    from generation.marketplace.consent import consent_approve, consent_request_create

    request, _ = consent_request_create(business=market_business, model=fiona)
    consent_approve(model=fiona, request=request)
    alice = listed_model("Alice Swim", refused=["swimwear"])
    bob = listed_model("Bob Formal")
    carla = listed_model("Carla Gone", expires_on=date.today() - timedelta(days=1))
    ConsentRequestFactory(business=market_business, model=bob)  # asked, not approved
    AIAvatarFactory(name="Ava")
    return {"alice": alice, "bob": bob, "carla": carla}


def test_market_shows_models_then_avatars_with_accessible_filters(client, market_business, catalog):
    client.force_login(market_business)
    page = client.get(MARKET)
    assert page.status_code == 200
    assert titles(page) == ["Alice Swim", "Bob Formal", "Carla Gone", "Fiona Friend", "Ava"]
    for field in ("name", "category", "kind", "my_status"):
        assert f'<label for="id_{field}">' in page.text
    assert "Request consent" in page.text  # Alice and Carla were never asked


def test_name_search_is_a_case_insensitive_substring(client, market_business, catalog):
    client.force_login(market_business)
    assert titles(client.get(MARKET, {"name": "SWIM"})) == ["Alice Swim"]
    assert titles(client.get(MARKET, {"name": "av"})) == ["Ava"]


def test_category_hides_models_that_refuse_it_or_whose_consent_expired(client, market_business, catalog):
    client.force_login(market_business)
    assert titles(client.get(MARKET, {"category": "swimwear"})) == ["Bob Formal", "Fiona Friend", "Ava"]
    assert titles(client.get(MARKET, {"category": "casual"})) == [
        "Alice Swim",
        "Bob Formal",
        "Fiona Friend",
        "Ava",
    ]


def test_kind_picks_human_models_or_avatars(client, market_business, catalog):
    client.force_login(market_business)
    assert titles(client.get(MARKET, {"kind": "avatar"})) == ["Ava"]
    assert "Ava" not in titles(client.get(MARKET, {"kind": "human"}))


def test_my_status_approved_or_not_asked_yet(client, market_business, catalog):
    client.force_login(market_business)
    assert titles(client.get(MARKET, {"my_status": "approved"})) == ["Fiona Friend"]
    # Bob was asked (not approved yet), Fiona approved; avatars need no consent.
    assert titles(client.get(MARKET, {"my_status": "not_asked"})) == ["Alice Swim", "Carla Gone"]


def test_another_business_approval_does_not_count_as_mine(client, market_business, other_business, catalog):
    ConsentRequestFactory(
        business=other_business, model=catalog["alice"], status=ConsentRequest.Status.APPROVED
    )
    client.force_login(market_business)
    assert titles(client.get(MARKET, {"my_status": "approved"})) == ["Fiona Friend"]
    assert "Alice Swim" in titles(client.get(MARKET, {"my_status": "not_asked"}))


def test_invalid_filter_values_are_form_errors_and_ignored(client, market_business, catalog):
    client.force_login(market_business)
    page = client.get(MARKET, {"category": "nonsense", "kind": "robots", "my_status": "x", "page": "zz"})
    assert page.status_code == 200
    assert "errorlist" in page.text
    assert len(titles(page)) == 5


def test_market_paginates_twelve_per_page_and_links_keep_the_filters(client, market_business):
    AIAvatar.objects.bulk_create([AIAvatar(name=f"Avatar {i:02d}") for i in range(14)])
    client.force_login(market_business)
    first = client.get(MARKET, {"kind": "avatar"})
    assert titles(first) == [f"Avatar {i:02d}" for i in range(12)]
    assert 'href="?kind=avatar&amp;page=2"' in first.text
    second = client.get(MARKET, {"kind": "avatar", "page": "2"})
    assert titles(second) == ["Avatar 12", "Avatar 13"]
    assert titles(client.get(MARKET, {"kind": "avatar", "page": "99"})) == ["Avatar 12", "Avatar 13"]


def test_market_empty_states(client, market_business, catalog):
    client.force_login(market_business)
    page = client.get(MARKET, {"name": "nobody at all"})
    assert titles(page) == [] and "No models match these filters" in page.text
    ModelProfile.objects.update(is_active=False)
    AIAvatar.objects.update(is_active=False)
    assert "No models listed yet" in client.get(MARKET).text


# --- role check ----------------------------------------------------------------------


def test_business_pages_are_404_for_creators_and_models(client, owner, fiona):
    """The marketplace itself explains why not instead (test_marketplace_eligibility)."""
    avatar = AIAvatarFactory(name="Ava")
    urls = [
        REQUESTS,
        USAGE,
        INVOICES,
        f"{USAGE}model/{fiona.pk}/",
        f"{USAGE}avatar/{avatar.pk}/",
    ]
    for person in (owner, fiona):  # the owner is a creator here
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
        assert client.get(MARKET).status_code == 200 and "business account" in client.get(MARKET).text
    client.logout()
    assert all(client.get(url).status_code == 302 for url in [MARKET, *urls])


# --- my consent requests ---------------------------------------------------------------


def test_my_requests_lists_mine_with_status_and_links_never_another_business(
    client, market_business, other_business, fiona, catalog
):
    secret = listed_model("Secret Sally")
    theirs = ConsentRequestFactory(business=other_business, model=secret)
    mine = ConsentRequest.objects.get(business_id=market_business.pk, model_id=fiona.pk)
    client.force_login(market_business)
    page = client.get(REQUESTS)
    assert page.status_code == 200
    assert "Fiona Friend" in page.text and "Bob Formal" in page.text
    assert "Secret Sally" not in page.text and str(theirs.pk) not in page.text
    assert f'href="/generation/marketplace/consent/{mine.pk}/"' in page.text
    assert "Approved" in page.text and "Requested" in page.text

    approved = client.get(REQUESTS, {"status": "approved"})
    assert "Fiona Friend" in approved.text and "Bob Formal" not in approved.text
    revoked = client.get(REQUESTS, {"status": "revoked"})
    assert "No revoked requests" in revoked.text
    assert client.get(REQUESTS, {"status": "bogus"}).status_code == 200


def test_my_requests_empty_state_links_to_the_marketplace(client, market_business, other_business, fiona):
    ConsentRequestFactory(business=other_business, model=fiona)
    client.force_login(market_business)
    page = client.get(REQUESTS)
    assert "No consent requests yet" in page.text and f'href="{MARKET}"' in page.text


def test_my_requests_paginates_and_keeps_the_status_filter(client, market_business):
    models = [UserFactory(role=User.Role.MODEL, verified_email=False) for _ in range(21)]
    base = timezone.now()
    ConsentRequest.objects.bulk_create(
        [
            ConsentRequest(business=market_business, model=model, requested_at=base - timedelta(minutes=i))
            for i, model in enumerate(models)
        ]
    )
    client.force_login(market_business)
    first = client.get(REQUESTS, {"status": "requested"})
    assert first.text.count("/generation/marketplace/consent/") == 20
    assert 'href="?status=requested&amp;page=2"' in first.text
    second = client.get(REQUESTS, {"status": "requested", "page": "2"})
    assert second.text.count("/generation/marketplace/consent/") == 1
    assert escape(models[-1].display_name) in second.text  # the oldest request is last


# --- generation history per model or avatar ------------------------------------------------


def test_model_history_shows_my_jobs_newest_first_with_license_links(
    client, market_business, other_business, fiona, local_model
):
    old = make_job(
        market_business, local_model, human=fiona, prompt="Old denim jacket", ago=timedelta(days=2)
    )
    failed = make_job(market_business, local_model, human=fiona, status="failed", prompt="Failed scarf")
    new = make_job(market_business, local_model, human=fiona, prompt="New summer dress")
    theirs = make_job(other_business, local_model, human=fiona, prompt="Their secret prompt")
    client.force_login(market_business)
    page = client.get(f"{USAGE}model/{fiona.pk}/")
    assert page.status_code == 200 and "Generations with Fiona Friend" in page.text
    text = page.text
    assert text.index("New summer dress") < text.index("Failed scarf") < text.index("Old denim jacket")
    assert "Their secret prompt" not in text and str(theirs.pk) not in text
    for job in (old, new):
        assert f"/generation/marketplace/licenses/{job.pk}/" in text
        assert f"/generation/jobs/{job.pk}/" in text
    assert f"/generation/marketplace/licenses/{failed.pk}/" not in text
    assert f"/generation/jobs/{failed.pk}/" in text


def test_avatar_history_shows_only_that_avatar(client, market_business, local_model):
    ava, bo = AIAvatarFactory(name="Ava"), AIAvatarFactory(name="Bo")
    make_job(market_business, local_model, avatar=ava, prompt="Ava in a raincoat")
    make_job(market_business, local_model, avatar=bo, prompt="Bo in boots")
    client.force_login(market_business)
    page = client.get(f"{USAGE}avatar/{ava.pk}/")
    assert "Ava in a raincoat" in page.text and "Bo in boots" not in page.text
    assert "/generation/marketplace/licenses/" not in page.text


def test_model_history_pages_twenty_at_a_time(client, market_business, fiona, local_model):
    for i in range(22):
        make_job(market_business, local_model, human=fiona, prompt=f"Look number {i:02d}")
    client.force_login(market_business)
    first = client.get(f"{USAGE}model/{fiona.pk}/")
    assert first.text.count("Look number") == 20 and "Look number 21" in first.text
    cursor = re.search(r'href="\?cursor=([0-9a-f]{24})"', first.text).group(1)
    second = client.get(f"{USAGE}model/{fiona.pk}/", {"cursor": cursor})
    assert second.text.count("Look number") == 2 and "Look number 00" in second.text
    assert client.get(f"{USAGE}model/{fiona.pk}/", {"cursor": "nonsense"}).status_code == 404


def test_history_of_bad_or_unknown_ids_is_404_and_unused_model_is_empty(
    client, market_business, other_business, fiona, local_model
):
    avatar = AIAvatarFactory(name="Ava")
    make_job(other_business, local_model, human=fiona, prompt="Their secret prompt")
    client.force_login(market_business)
    for url in (
        f"{USAGE}model/nonsense/",
        f"{USAGE}avatar/nonsense/",
        f"{USAGE}robot/{fiona.pk}/",
        f"{USAGE}model/{avatar.pk}/",  # an ObjectId that is no user
        f"{USAGE}model/{other_business.pk}/",  # a user, but not a model
        f"{USAGE}avatar/{fiona.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    page = client.get(f"{USAGE}model/{fiona.pk}/")
    assert page.status_code == 200 and "No generations with Fiona Friend yet" in page.text
    assert "Their secret prompt" not in page.text


def test_usage_overview_totals_per_model_and_avatar_in_one_grouped_query(
    client, market_business, other_business, fiona, local_model
):
    ava = AIAvatarFactory(name="Ava")
    make_job(market_business, local_model, human=fiona, ago=timedelta(days=3))
    make_job(market_business, local_model, human=fiona, credits_refunded=1)
    make_job(market_business, local_model, human=fiona, status="failed", credits_refunded=2)
    make_job(market_business, local_model, avatar=ava, credits_charged=3, ago=timedelta(days=5))
    make_job(other_business, local_model, human=fiona, credits_charged=50, royalty_cents=999)
    make_job(market_business, local_model, model_type="", human=None, avatar=None)  # not marketplace

    with CaptureQueriesContext(connection) as ctx:
        rows = marketplace_selectors.usage_overview(market_business)
    job_queries = [q for q in ctx.captured_queries if q["sql"].startswith("db.generation_job.")]
    assert len(job_queries) == 1 and "$group" in job_queries[0]["sql"]
    assert len(ctx.captured_queries) == 3  # the totals, model names, avatar names

    assert [(r.name, r.completed, r.credits, r.royalty_cents) for r in rows] == [
        ("Fiona Friend", 2, 3, 200),
        ("Ava", 1, 3, 0),
    ]
    client.force_login(market_business)
    page = client.get(USAGE)
    assert page.status_code == 200
    assert f'href="{USAGE}model/{fiona.pk}/"' in page.text and f'href="{USAGE}avatar/{ava.pk}/"' in page.text


def test_usage_overview_empty_state(client, market_business, other_business, fiona, local_model):
    make_job(other_business, local_model, human=fiona)
    client.force_login(market_business)
    assert "No generations with models or avatars yet" in client.get(USAGE).text


# --- invoices joined to usage --------------------------------------------------------------


def invoice(business, number, start, end, **fields):
    return Invoice.objects.create(
        user=business,
        stripe_invoice_id=f"in_{number}",
        number=number,
        amount_due=2900,
        status=Invoice.Status.PAID,
        period_start=start,
        period_end=end,
        **fields,
    )


def test_invoices_show_the_generations_of_each_period_and_the_current_one(
    client, market_business, other_business, fiona, local_model
):
    ava = AIAvatarFactory(name="Ava")
    now = timezone.now()
    jan = invoice(market_business, "INV-JAN", now - timedelta(days=60), now - timedelta(days=30))
    feb = invoice(market_business, "INV-FEB", now - timedelta(days=30), now - timedelta(days=1))
    invoice(other_business, "INV-THEIRS", now - timedelta(days=60), now)
    make_job(market_business, local_model, human=fiona, ago=timedelta(days=45))
    make_job(market_business, local_model, avatar=ava, ago=timedelta(days=40), credits_charged=3)
    make_job(market_business, local_model, human=fiona, ago=timedelta(days=10), credits_refunded=2)
    make_job(market_business, local_model, human=fiona, ago=timedelta(days=10), status="failed")
    make_job(market_business, local_model, human=fiona, ago=timedelta(days=90))  # before any invoice
    make_job(market_business, local_model, avatar=ava, ago=timedelta(hours=2))  # not invoiced yet
    make_job(other_business, local_model, human=fiona, ago=timedelta(days=10), credits_charged=77)

    usage = marketplace_selectors.invoice_usage(market_business)
    assert [row.invoice.pk for row in usage.rows] == [feb.pk, jan.pk]
    by_number = {row.invoice.number: row.usage for row in usage.rows}
    jan_usage, feb_usage = by_number["INV-JAN"], by_number["INV-FEB"]
    assert (jan_usage.human_jobs, jan_usage.avatar_jobs, jan_usage.credits, jan_usage.royalty_cents) == (
        1,
        1,
        5,
        100,
    )
    assert (feb_usage.human_jobs, feb_usage.avatar_jobs, feb_usage.credits, feb_usage.royalty_cents) == (
        1,
        0,
        0,
        100,
    )
    assert (usage.current.human_jobs, usage.current.avatar_jobs, usage.current.credits) == (0, 1, 2)

    client.force_login(market_business)
    page = client.get(INVOICES)
    assert page.status_code == 200
    assert "INV-JAN" in page.text and "INV-FEB" in page.text and "INV-THEIRS" not in page.text
    assert "Current period, not yet invoiced" in page.text
    assert f'href="{USAGE}"' in page.text


def test_invoice_with_an_empty_period_uses_its_first_line(market_business, local_model):
    from billing.models import InvoiceLine

    now = timezone.now()
    invoice(
        market_business,
        "INV-1",
        now - timedelta(days=5),
        now - timedelta(days=5),
        line_items=[InvoiceLine(period_start=now - timedelta(days=5), period_end=now + timedelta(days=25))],
    )
    AIAvatarFactory(name="Ava")
    make_job(market_business, local_model, avatar=AIAvatar.objects.get(), ago=timedelta(days=1))
    usage = marketplace_selectors.invoice_usage(market_business)
    assert usage.rows[0].usage.avatar_jobs == 1


def test_while_the_invoiced_period_still_runs_there_is_no_current_period_starting_in_the_future(
    client, market_business, local_model
):
    # A subscription invoice pays for the month ahead: its period ends in the future, so no
    # generation is "not yet invoiced" and a row "since" that future day would make no sense.
    now = timezone.now()
    invoice(market_business, "INV-NOW", now - timedelta(days=1), now + timedelta(days=29))
    make_job(market_business, local_model, avatar=AIAvatarFactory(name="Ava"), ago=timedelta(hours=1))

    usage = marketplace_selectors.invoice_usage(market_business)

    assert usage.current is None and usage.current_start is None
    assert usage.rows[0].usage.avatar_jobs == 1
    client.force_login(market_business)
    assert "Current period, not yet invoiced" not in client.get(INVOICES).text


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(INVOICES).status_code == 200
    return len(ctx.captured_queries)


def test_invoices_page_query_count_does_not_grow_with_invoices(client, market_business, fiona, local_model):
    now = timezone.now()
    invoice(market_business, "INV-0", now - timedelta(days=30), now - timedelta(days=1))
    make_job(market_business, local_model, human=fiona, ago=timedelta(days=3))
    client.force_login(market_business)
    client.get(INVOICES)  # warm the session and wallet
    with CaptureQueriesContext(connection) as ctx:
        marketplace_selectors.invoice_usage(market_business)
    assert len(ctx.captured_queries) == 2
    one = _page_queries(client)

    for month in range(1, 7):
        start = now - timedelta(days=30 * (month + 1))
        invoice(market_business, f"INV-{month}", start, start + timedelta(days=30))
        make_job(market_business, local_model, human=fiona, ago=timedelta(days=30 * month + 3))
    with CaptureQueriesContext(connection) as ctx:
        usage = marketplace_selectors.invoice_usage(market_business)
    assert len(ctx.captured_queries) == 2
    assert len(usage.rows) == 7 and all(row.usage.human_jobs == 1 for row in usage.rows)
    assert _page_queries(client) == one


def test_invoices_empty_state(client, market_business, other_business):
    now = timezone.now()
    invoice(other_business, "INV-THEIRS", now - timedelta(days=30), now)
    client.force_login(market_business)
    page = client.get(INVOICES)
    assert page.status_code == 200 and "No invoices yet" in page.text and "INV-THEIRS" not in page.text


def test_older_invoices_page_with_their_own_usage(client, market_business, fiona, local_model, monkeypatch):
    now = timezone.now()
    for month in (3, 2, 1):  # oldest first, so the newest has the highest id
        start = now - timedelta(days=30 * month)
        invoice(market_business, f"INV-M{month}", start, start + timedelta(days=29))
        make_job(market_business, local_model, human=fiona, ago=timedelta(days=30 * month - 2))
    make_job(market_business, local_model, human=fiona, ago=timedelta(hours=1))  # not invoiced yet

    first = marketplace_selectors.invoice_usage(market_business, limit=2)
    assert [row.invoice.number for row in first.rows] == ["INV-M1", "INV-M2"] and first.older
    assert [row.usage.human_jobs for row in first.rows] == [1, 1] and first.current.human_jobs == 1
    second = marketplace_selectors.invoice_usage(market_business, before=first.older, limit=2)
    assert [row.invoice.number for row in second.rows] == ["INV-M3"] and not second.older
    assert second.rows[0].usage.human_jobs == 1 and second.current is None

    monkeypatch.setattr(marketplace_selectors, "INVOICE_LIMIT", 2)
    client.force_login(market_business)
    page = client.get(INVOICES)
    assert f'href="?before={first.older}"' in page.text and "Current period" in page.text
    older = client.get(f"{INVOICES}?before={first.older}")
    assert "INV-M3" in older.text and "INV-M1" not in older.text and "Current period" not in older.text
    assert client.get(f"{INVOICES}?before=nonsense").status_code == 404
