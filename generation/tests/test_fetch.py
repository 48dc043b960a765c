"""The output URL policy and the capped download, at the network edge."""

import io

import pytest

from generation import fetch


@pytest.fixture
def dns(monkeypatch, settings):
    settings.GENERATION_DELIVERY_HOSTS = ["replicate.delivery"]
    answers = {}
    monkeypatch.setattr(fetch, "resolve", lambda host, port: answers.get(host, []))
    return answers


@pytest.mark.parametrize(
    "addresses",
    [
        ["10.0.0.5"],
        ["192.168.1.1"],
        ["127.0.0.1"],
        ["169.254.169.254"],
        ["::1"],
        ["fe80::1"],
        ["fd00::1"],
        ["::ffff:127.0.0.1"],
        ["0.0.0.0"],
        ["100.64.0.1"],
        ["34.117.59.81", "10.0.0.5"],
        [],
    ],
)
def test_a_delivery_host_that_resolves_anywhere_private_is_refused(dns, addresses):
    dns["replicate.delivery"] = addresses
    with pytest.raises(fetch.UnsafeURL):
        fetch.check_url("https://replicate.delivery/x.png")


def test_a_public_delivery_host_and_its_subdomains_pass(dns):
    dns["replicate.delivery"] = ["34.117.59.81"]
    dns["pbxt.replicate.delivery"] = ["2600:1901:0:1::1"]
    assert fetch.check_url("https://replicate.delivery/a/b.png?x=1") == (
        "replicate.delivery",
        443,
        "/a/b.png?x=1",
        "34.117.59.81",
    )
    assert fetch.check_url("https://pbxt.replicate.delivery/c.webp")[0] == "pbxt.replicate.delivery"


@pytest.mark.parametrize(
    "url",
    [
        "https://replicate.delivery.evil.com/x.png",
        "https://evilreplicate.delivery/x.png",
        "https://user:pw@replicate.delivery/x.png",
        "ftp://replicate.delivery/x.png",
        "",
        "replicate.delivery/x.png",
        "https://34.117.59.81/x.png",
    ],
)
def test_look_alike_hosts_credentials_and_other_schemes_are_refused(dns, url):
    dns["replicate.delivery.evil.com"] = ["34.117.59.81"]
    dns["evilreplicate.delivery"] = ["34.117.59.81"]
    with pytest.raises(fetch.UnsafeURL):
        fetch.check_url(url)


class FakeResponse:
    def __init__(self, status=200, body=b"", headers=None):
        self.status = status
        self._body = io.BytesIO(body)
        self._headers = headers or {}

    def getheader(self, name):
        return self._headers.get(name)

    def read(self, size):
        return self._body.read(size)


def test_redirects_are_not_followed_and_the_cap_is_enforced(dns, monkeypatch):
    dns["replicate.delivery"] = ["34.117.59.81"]
    responses = iter(
        [
            FakeResponse(302, headers={"Location": "http://169.254.169.254/"}),
            FakeResponse(200, b"x" * 100, {"Content-Length": "100"}),
            FakeResponse(200, b"x" * 100),  # no length header: stopped while reading
            FakeResponse(200, b"fine"),
        ]
    )
    seen = []

    def open_response(host, port, path, address, timeout):
        seen.append(address)
        return next(responses)

    monkeypatch.setattr(fetch, "open_response", open_response)
    url = "https://replicate.delivery/x.png"
    for _ in range(3):
        with pytest.raises(fetch.DownloadError):
            fetch.download(url, max_bytes=50)
    assert fetch.download(url, max_bytes=50) == b"fine"
    assert seen == ["34.117.59.81"] * 4  # always the checked address, never a second lookup


def test_the_real_connection_pins_the_checked_address(monkeypatch):
    calls = []

    def create_connection(address, timeout):
        calls.append(address)
        raise OSError("stop here")

    monkeypatch.setattr(fetch.socket, "create_connection", create_connection)
    with pytest.raises(OSError):
        fetch.open_response("replicate.delivery", 443, "/x.png", "34.117.59.81", 5)
    assert calls == [("34.117.59.81", 443)]
