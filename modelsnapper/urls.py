from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import language
from accounts import views as accounts_views
from generation import landing
from generation import views as generation_views
from generation.provenance import views as provenance_views
from modelsnapper import views
from modelsnapper.observability.metrics import metrics_view

urlpatterns = [
    path("", landing.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("generate/", generation_views.generate, name="generate"),
    path("verify/", provenance_views.verify, name="verify"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", language.language_set, name="set_language"),
    path("accounts/signup/", accounts_views.SignupView.as_view(), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("billing/", include("billing.urls")),
    path("generation/marketplace/", include("generation.marketplace.urls")),
    path("generation/", include("generation.urls")),
    path("social/", include("social.urls")),
]

if settings.MEDIA_STORAGE == "gridfs":
    urlpatterns.append(path("media/<path:path>", views.serve_media, name="media"))

handler500 = "modelsnapper.views.server_error"
