"""Content-Security-Policy without inline scripts, and Vary: HX-Request on pages that serve fragments."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_pages_carry_a_content_security_policy_that_allows_no_inline_script(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())

    assert directives["script-src"] == "'self'"
    assert (
        "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    )
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_no_template_has_an_inline_script_or_event_handler(template):
    html = template.read_text()

    inline_scripts = [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]
    handlers = re.findall(r"\son[a-z]+\s*=\s*[\"']", html)
    assert inline_scripts == [] and handlers == []


def test_a_page_that_answers_htmx_with_a_fragment_varies_on_hx_request(client, owner):
    client.force_login(owner)
    page = client.get("/social/explore/")
    fragment = client.get("/social/explore/", HTTP_HX_REQUEST="true")

    assert "HX-Request" in page["Vary"] and "HX-Request" in fragment["Vary"]
    assert page.content != fragment.content
