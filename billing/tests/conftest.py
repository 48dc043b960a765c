import pytest

from billing.seed import seed_catalog


@pytest.fixture
def catalog(db):
    """The seeded plans (free 10 / plus 100 / pro 1000) and credit packs."""
    seed_catalog()


@pytest.fixture
def wallet(owner, catalog):
    """The owner's wallet: 10 free allowance credits and 250 welcome coins."""
    from billing.services import wallet_for

    return wallet_for(owner)
