"""Which address our rate limits and allauth's see, with and without trusted proxies."""

import pytest
from django.test import RequestFactory

from accounts.adapters import AccountAdapter
from modelsnapper.ratelimit import client_ip

rf = RequestFactory()


def _request(**meta):
    return rf.get("/", REMOTE_ADDR="10.0.0.5", **meta)


def test_by_default_the_socket_peer_is_the_client_and_forwarded_headers_are_ignored(settings):
    request = _request(HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert client_ip(request) == "10.0.0.5"
    assert AccountAdapter().get_client_ip(request) == "10.0.0.5"


def test_with_one_trusted_proxy_the_address_it_appended_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first hop; the load balancer appended the real one.
    request = _request(HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.9")

    assert client_ip(request) == "203.0.113.9"
    assert AccountAdapter().get_client_ip(request) == "203.0.113.9"


def test_with_two_trusted_proxies_the_second_to_last_hop_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = _request(HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.9, 10.1.1.1")

    assert client_ip(request) == "203.0.113.9"


def test_a_request_that_skipped_the_proxies_falls_back_to_the_socket_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = _request(HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert client_ip(request) == "10.0.0.5"
    assert AccountAdapter().get_client_ip(request) == "10.0.0.5"


def test_a_trusted_client_ip_header_names_the_client(settings):
    settings.TRUSTED_CLIENT_IP_HEADER = "CF-Connecting-IP"
    request = _request(HTTP_CF_CONNECTING_IP="2001:db8::1", HTTP_X_FORWARDED_FOR="198.51.100.66")

    assert client_ip(request) == "2001:db8::1"
    assert AccountAdapter().get_client_ip(request) == "2001:db8::1"


def test_a_garbage_forwarded_address_is_not_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = _request(HTTP_X_FORWARDED_FOR="<script>")

    assert client_ip(request) == "10.0.0.5"


@pytest.mark.parametrize("proxies", [0, 1])
def test_the_sign_in_limit_counts_clients_behind_the_proxy_separately(client, db, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "2/m/ip"}

    def refused(n, ip):
        data = {"login": f"nobody{n}@example.com", "password": "nope"}
        response = client.post("/accounts/login/", data, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=ip)
        return b"Too many failed login attempts" in response.content

    assert [refused(n, "203.0.113.1") for n in range(3)] == [False, False, True]
    # Behind one trusted proxy another client is not refused; without it, everyone is one address.
    assert refused(3, "203.0.113.2") is (proxies == 0)
