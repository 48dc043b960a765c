"""Article markdown: rendered, linkified, and sanitised with nh3."""

from social.markdown import render_markdown


def test_markdown_links_keep_their_address_and_gain_nofollow():
    html = render_markdown("See [the docs](https://example.com/docs).")

    assert '<a href="https://example.com/docs"' in html
    assert 'rel="nofollow' in html


def test_a_bare_url_becomes_a_link():
    html = render_markdown("Read https://example.com/post?id=1 today.")

    assert '<a href="https://example.com/post?id=1"' in html
    assert ">https://example.com/post?id=1</a> today." in html


def test_urls_in_code_are_not_linkified():
    html = render_markdown("`https://example.com/x`\n\n    https://example.com/y\n")

    assert "<a " not in html
    assert "<code>https://example.com/x</code>" in html


def test_images_tables_and_emphasis_survive():
    html = render_markdown('![alt text](https://example.com/a.png "t")\n\n| a |\n|---|\n| **b** |\n')

    assert '<img alt="alt text" src="https://example.com/a.png" title="t">' in html
    assert "<table>" in html and "<strong>b</strong>" in html


def test_the_sanitiser_is_nh3_not_the_deprecated_bleach():
    import social.markdown

    assert "bleach" not in vars(social.markdown)
    assert render_markdown('<p style="color:red" class="x">hi</p>') == "<p>hi</p>"


def test_a_url_inside_link_text_is_not_linked_twice():
    html = render_markdown("[see https://a.example](https://b.example) and https://c.example/x.")

    assert html.count("<a ") == 2
    assert '<a href="https://b.example" rel="nofollow noopener noreferrer">see https://a.example</a>' in html
    assert '<a href="https://c.example/x" rel="nofollow noopener noreferrer">https://c.example/x</a>.' in html
