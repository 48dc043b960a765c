"""Dates are shown in the viewer's time zone (the browser's, remembered in the ``tz`` cookie)."""

from datetime import UTC, datetime

from billing.models import Wallet
from billing.services import wallet_for


def next_reset_line(client) -> str:
    html = client.get("/billing/wallet/").content.decode()
    return html.split("<dt>Next reset</dt><dd>", 1)[1].split("</dd>", 1)[0]


def test_the_wallet_shows_the_next_reset_in_the_viewers_time_zone(owner_client, owner):
    wallet_for(owner)
    Wallet.objects.filter(user_id=owner.pk).update(period_end=datetime(2027, 1, 1, 6, 30, tzinfo=UTC))
    owner_client.cookies["tz"] = "America/New_York"

    line = next_reset_line(owner_client)

    assert "Jan. 1, 2027 01:30 EST" in line
    assert "UTC" not in line


def test_without_a_known_time_zone_dates_are_in_utc_and_say_so(owner_client, owner):
    wallet_for(owner)
    Wallet.objects.filter(user_id=owner.pk).update(period_end=datetime(2027, 1, 1, 6, 30, tzinfo=UTC))
    owner_client.cookies["tz"] = "Mars/Olympus_Mons"

    assert "Jan. 1, 2027 06:30 UTC" in next_reset_line(owner_client)


def test_pages_carry_the_script_that_remembers_the_browsers_time_zone(client, db):
    html = client.get("/").content.decode()

    assert "/static/js/nav.js" in html
