"""The site layout, the landing page, allauth pages inside it, themes and error pages."""

import pytest
from django.conf import settings
from django.template.loader import render_to_string

# Markup that only our base.html and includes/nav.html produce.
LAYOUT_MARKERS = ('class="site-header"', 'class="brand"', "Skip to content", 'class="site-footer"')


def assert_in_our_layout(html: str) -> None:
    for marker in LAYOUT_MARKERS:
        assert marker in html, f"{marker!r} missing: page is not rendered inside base.html"


def test_home_renders_for_a_visitor(client, db):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert_in_our_layout(html)
    assert 'href="/accounts/signup/"' in html
    assert 'href="/accounts/login/"' in html
    assert "Sign out" not in html


def test_home_renders_for_a_signed_in_user(owner_client, owner):
    response = owner_client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert_in_our_layout(html)
    assert f'href="/u/{owner.username}/"' in html
    assert "Sign out" in html
    assert 'href="/accounts/signup/"' not in html


def test_staff_see_the_admin_link_and_others_do_not(client, owner, staff):
    client.force_login(owner)
    assert 'href="/admin/"' not in client.get("/").content.decode()

    client.force_login(staff)
    assert 'href="/admin/"' in client.get("/").content.decode()


def test_home_shows_feed_examples_as_sized_pictures(client, owner):
    from generation.seed import seed_feed_examples

    seed_feed_examples(user=owner)

    html = client.get("/").content.decode()

    assert "Feed examples" in html
    assert "-256.webp 256w" in html  # each example's WebP variants, not the full-size original
    assert "A neon-lit ramen shop on a rainy street at night" in html


def test_home_shows_no_feed_examples_section_without_examples(client, db):
    html = client.get("/").content.decode()

    assert "Feed examples" not in html


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_allauth_entrance_pages_render_inside_our_layout(client, db, path):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert_in_our_layout(html)
    assert 'class="card auth-card"' in html
    assert 'class="form"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/sessions/",
        "/accounts/logout/",
    ],
)
def test_allauth_account_pages_render_inside_our_layout(owner_client, path):
    response = owner_client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert_in_our_layout(html)


def test_account_security_pages_mark_the_current_menu_entry(owner_client):
    html = owner_client.get("/accounts/email/").content.decode()

    assert 'class="manage-nav"' in html
    assert 'href="/accounts/email/" aria-current="page"' in html


def test_sign_in_form_shows_labels_above_inputs_and_marks_required_fields(client, db):
    html = client.get("/accounts/login/").content.decode()

    assert '<label for="id_login">' in html
    assert 'class="required"' in html


def test_failed_sign_in_shows_the_error_inside_our_form(client, owner):
    response = client.post("/accounts/login/", {"login": owner.email, "password": "not-the-password"})

    assert response.status_code == 200
    html = response.content.decode()
    assert_in_our_layout(html)
    assert 'class="errorlist nonfield"' in html


def test_login_page_shows_no_google_button_when_google_is_not_configured(client, db):
    assert settings.GOOGLE_SIGNIN_ENABLED is False

    html = client.get("/accounts/login/").content.decode()

    assert "Google" not in html
    assert "provider-list" not in html


def test_login_page_offers_google_once_it_is_configured(client, db, settings):
    google = settings.SOCIALACCOUNT_PROVIDERS["google"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {**google, "APPS": [{"client_id": "id", "secret": "secret", "key": ""}]}
    }
    settings.GOOGLE_SIGNIN_ENABLED = True

    html = client.get("/accounts/login/").content.decode()

    assert "Continue with Google" in html


def test_unknown_url_gives_our_friendly_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert_in_our_layout(html)
    assert "Page not found" in html
    assert "Back to the home page" in html


def test_user_with_dark_mode_gets_the_dark_theme_on_every_page(client, owner):
    owner.preferences.dark_mode = True
    owner.save()
    client.force_login(owner)

    for path in ("/", "/accounts/email/", f"/u/{owner.username}/"):
        html = client.get(path).content.decode()
        assert 'data-theme="dark"' in html, path
        assert '<meta name="color-scheme" content="dark">' in html, path


def test_default_user_gets_the_light_theme(owner_client):
    html = owner_client.get("/").content.decode()

    assert 'data-theme="light"' in html


def test_visitor_gets_the_light_theme(client, db):
    html = client.get("/accounts/login/").content.decode()

    assert 'data-theme="light"' in html


def test_pages_send_the_csrf_token_with_htmx_requests(client, db):
    html = client.get("/").content.decode()

    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "js/htmx" in html


@pytest.mark.parametrize(
    ("template", "text"),
    [("500.html", "Something went wrong"), ("503.html", "We'll be right back")],
)
def test_server_error_pages_render_with_no_context_at_all(template, text):
    html = render_to_string(template)

    assert_in_our_layout(html)
    assert text in html
    assert 'data-theme="light"' in html
    assert "hx-headers" not in html
    assert "Sign out" not in html


def test_too_many_requests_page_shows_the_given_message():
    html = render_to_string("429.html", {"message": "Too many sign-in attempts. Please wait."})

    assert "Too many sign-in attempts. Please wait." in html


def test_too_many_requests_page_has_a_default_message():
    html = render_to_string("429.html")

    assert "Please wait a moment and try again." in html
