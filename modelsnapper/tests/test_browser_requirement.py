"""Browser journeys skip on a developer's machine without Chromium, but fail in CI."""

import pytest

from modelsnapper.testing.browser import require_chromium


def test_a_missing_chromium_fails_the_browser_test_in_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium"):
        require_chromium(str(tmp_path / "no-chromium-here"))


def test_a_missing_chromium_skips_the_browser_test_on_a_developer_machine(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        require_chromium(str(tmp_path / "no-chromium-here"))


def test_an_installed_chromium_passes_in_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    executable = tmp_path / "chromium"
    executable.write_text("")
    require_chromium(str(executable))
