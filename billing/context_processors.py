from django.conf import settings


def test_mode(request):
    """Whether payments are simulated (the offline test checkout): base.html then shows a banner."""
    return {"BILLING_TEST_MODE": settings.BILLING_TEST_CHECKOUT}
