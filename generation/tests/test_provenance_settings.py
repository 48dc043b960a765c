"""Content Credentials configuration: production never signs with a development key by accident."""

import pytest

from modelsnapper.testing.settings import production, run_with

# Everything else production needs, so only the C2PA settings decide.
PRODUCTION = production(without=("C2PA_SIGNING_CERT_PEM", "C2PA_SIGNING_KEY_PEM"))


def start(**env):
    return run_with("import modelsnapper.settings as s; print(s.C2PA_ENABLED)", **env)


def test_production_without_a_signing_key_stops_with_a_sentence():
    result = start(**PRODUCTION)
    assert result.returncode != 0
    assert "C2PA_SIGNING_CERT_PEM and C2PA_SIGNING_KEY_PEM are required when DEBUG is off" in result.stderr


def test_production_starts_with_its_signing_key_or_with_credentials_explicitly_off():
    keyed = start(
        **PRODUCTION, C2PA_SIGNING_CERT_PEM="/etc/ms/chain.pem", C2PA_SIGNING_KEY_PEM="/etc/ms/key.pem"
    )
    assert keyed.returncode == 0, keyed.stderr
    off = start(**PRODUCTION, C2PA_ENABLED="false")
    assert off.returncode == 0, off.stderr
    assert off.stdout.strip() == "False"


def test_production_signs_with_the_configured_chain_not_a_development_one(settings, tmp_path):
    from generation.provenance import keys

    made = keys.development_keys(tmp_path / "elsewhere")  # stands in for a CA-issued chain
    (tmp_path / "chain.pem").write_bytes(made.chain_pem)
    settings.C2PA_SIGNING_CERT_PEM = str(tmp_path / "chain.pem")
    settings.C2PA_SIGNING_KEY_PEM = made.key_pem.decode()  # a value works as well as a path
    keys.signing_keys.cache_clear()
    try:
        used = keys.signing_keys()
    finally:
        keys.signing_keys.cache_clear()
    assert used.chain_pem == made.chain_pem and used.key_pem == made.key_pem and not used.development


@pytest.mark.django_db
def test_the_admin_dashboard_flags_credentials_turned_off(client, staff, settings):
    client.force_login(staff)
    assert "Content Credentials are off" not in client.get("/admin/").content.decode()
    settings.C2PA_ENABLED = False
    assert "Content Credentials are off" in client.get("/admin/").content.decode()
