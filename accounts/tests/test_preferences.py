from accounts.models import User

URL = "/settings/preferences/"


def test_preferences_start_from_the_defaults(owner_client):
    form = owner_client.get(URL).context["form"]

    assert form.initial == {
        "dark_mode": False,
        "email_notifications": True,
        "push_notifications": True,
        "language": "en",
    }


def test_saving_preferences_stores_them_in_the_embedded_document(owner_client, owner):
    response = owner_client.post(URL, {"dark_mode": "on", "push_notifications": "on", "language": "es"})

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.preferences.dark_mode is True
    assert owner.preferences.email_notifications is False
    assert owner.preferences.push_notifications is True
    assert owner.preferences.language == "es"
    assert User.objects.filter(preferences__dark_mode=True).get() == owner


def test_after_enabling_dark_mode_the_very_next_page_is_dark(owner_client):
    assert 'data-theme="light"' in owner_client.get("/").content.decode()

    response = owner_client.post(URL, {"dark_mode": "on", "language": "en"}, follow=True)

    assert 'data-theme="dark"' in response.content.decode()
    assert 'data-theme="dark"' in owner_client.get("/").content.decode()


def test_turning_dark_mode_off_brings_the_light_theme_back(owner_client):
    owner_client.post(URL, {"dark_mode": "on", "language": "en"})

    response = owner_client.post(URL, {"language": "en"}, follow=True)

    assert 'data-theme="light"' in response.content.decode()


def test_an_unknown_language_is_a_form_error(owner_client, owner):
    response = owner_client.post(URL, {"language": "xx"})

    assert response.status_code == 200
    assert response.context["form"].errors["language"]


def test_preferences_require_login(client, db):
    assert client.get(URL).status_code == 302
