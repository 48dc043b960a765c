from django.urls import path

from billing import views
from billing.views.boosts import post_boost

app_name = "billing"

urlpatterns = [
    path("webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
    path("pricing/", views.pricing, name="pricing"),
    path("checkout/success/", views.checkout_success, name="checkout_success"),
    path("checkout/test/<str:price_id>/", views.test_checkout_page, name="test_checkout"),
    path("checkout/<str:price_id>/", views.checkout, name="checkout"),
    path("wallet/", views.wallet, name="wallet"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger.csv", views.ledger_csv, name="ledger_csv"),
    path("coins/", views.coins, name="coins"),
    path("coins/daily/", views.coins_daily, name="coins_daily"),
    path("coins/gift/", views.coins_gift, name="coins_gift"),
    path("coins/tip/<str:post_id>/", views.coins_tip, name="coins_tip"),
    path("coins/boost/<str:post_id>/", post_boost, name="post_boost"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<str:invoice_id>/", views.invoice, name="invoice"),
    path("subscription/", views.subscription, name="subscription"),
    path("subscription/change/", views.subscription_change, name="subscription_change"),
    path("subscription/portal/", views.subscription_portal, name="subscription_portal"),
    path("subscription/<str:action>/", views.subscription_cancel, name="subscription_cancel"),
    path("staff/analytics/", views.staff_analytics, name="staff_analytics"),
    path("staff/adjust/", views.staff_adjust, name="staff_adjust"),
]
