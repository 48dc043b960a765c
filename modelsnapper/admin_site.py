from allauth.account.decorators import secure_admin_login
from django.contrib import admin


class ModelSnapperAdminSite(admin.AdminSite):
    site_header = "ModelSnapper staff"
    site_title = "ModelSnapper admin"
    index_title = "Operations"

    def login(self, request, extra_context=None):
        # Staff sign in through allauth like everyone else, so its rate limits
        # (per client IP and per account) and two-factor guard the admin too: a
        # password alone never opens /admin/ for someone with TOTP. Signed-in
        # staff are sent on to the admin; anyone else signed in is refused.
        return secure_admin_login(super().login)(request, extra_context)
