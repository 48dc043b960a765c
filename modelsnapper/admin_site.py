from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.template.loader import render_to_string

from modelsnapper.ratelimit import client_ip, hit


class ModelSnapperAdminSite(admin.AdminSite):
    site_header = "ModelSnapper staff"
    site_title = "ModelSnapper admin"
    index_title = "Operations"

    def login(self, request, extra_context=None):
        if request.method == "POST" and not hit(
            "admin-login",
            client_ip(request),
            limit=settings.ADMIN_LOGIN_RATE_LIMIT,
            window=settings.ADMIN_LOGIN_RATE_WINDOW,
        ):
            body = render_to_string(
                "429.html",
                {"message": "Too many sign-in attempts. Please wait a few minutes and try again."},
            )
            return HttpResponse(body, status=429)
        return super().login(request, extra_context)
