from allauth.account.adapter import DefaultAccountAdapter

from modelsnapper.ratelimit import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return True

    def get_client_ip(self, request) -> str:
        # allauth's own rate limits count the same client our limits count.
        return client_ip(request)
