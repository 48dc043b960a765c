"""Turn a User-Agent header into words a person recognises: "Chrome on macOS".

A deliberately small parser: the sessions page only needs a hint of which
device a session is, not a full browser database. Order matters, because
user agents carry each other's tokens (Edge says Chrome and Safari; Chrome
says Safari; iPadOS says Mac OS X).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext

_BROWSERS: tuple[tuple[str, str], ...] = (
    (r"\bEdg(?:e|A|iOS)?/", "Edge"),
    (r"\bOPR/|\bOpera\b", "Opera"),
    (r"\bSamsungBrowser/", "Samsung Internet"),
    (r"\bYaBrowser/", "Yandex Browser"),
    (r"\bVivaldi/", "Vivaldi"),
    (r"\bFirefox/|\bFxiOS/", "Firefox"),
    (r"\bCriOS/", "Chrome"),
    (r"\bChromium/", "Chromium"),
    (r"\bChrome/", "Chrome"),
    (r"\bVersion/[\d.]+.*\bSafari/", "Safari"),
    (r"\bMSIE |\bTrident/", "Internet Explorer"),
    (r"^curl/", "curl"),
    (r"^python-requests/|^python-httpx/|^Python-urllib/", "Python"),
)

_SYSTEMS: tuple[tuple[str, str], ...] = (
    (r"\biPhone\b|\biPod\b", "iPhone"),
    (r"\biPad\b", "iPad"),
    (r"\bAndroid\b", "Android"),
    (r"\bCrOS\b", "ChromeOS"),
    (r"\bWindows Phone\b", "Windows Phone"),
    (r"\bWindows\b", "Windows"),
    (r"\bMacintosh\b|\bMac OS X\b", "macOS"),
    (r"\bUbuntu\b", "Ubuntu"),
    (r"\bLinux\b|\bX11\b", "Linux"),
)


def _first(patterns: tuple[tuple[str, str], ...], user_agent: str) -> str | None:
    for pattern, name in patterns:
        if re.search(pattern, user_agent):
            return name
    return None


def describe_user_agent(user_agent: str | None) -> str:
    user_agent = (user_agent or "").strip()
    if not user_agent:
        return gettext("Unknown device")
    browser = _first(_BROWSERS, user_agent)
    system = _first(_SYSTEMS, user_agent)
    if browser and system:
        return gettext("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser:
        return browser
    if system:
        return gettext("A browser on %(system)s") % {"system": system}
    return gettext("Unknown browser")
