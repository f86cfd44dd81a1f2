from rest_framework.throttling import SimpleRateThrottle

from portal.accounts.models import PersonalAccessToken


class PerTokenThrottle(SimpleRateThrottle):
    """Calls per token (the ``token`` rate); a browser session counts per person (``session``), an
    anonymous caller per address (``anonymous``). Rates: settings REST_FRAMEWORK DEFAULT_THROTTLE_RATES."""

    rate = "chosen per caller"  # get_cache_key sets the caller's rate

    def __init__(self):  # the rate is known only once the caller is (get_cache_key)
        pass

    def get_cache_key(self, request, view):
        if isinstance(request.auth, PersonalAccessToken):
            self.scope, ident = "token", f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            self.scope, ident = "session", f"user-{request.user.pk}"
        else:
            self.scope, ident = "anonymous", self.get_ident(request)
        self.num_requests, self.duration = self.parse_rate(self.THROTTLE_RATES[self.scope])
        return self.cache_format % {"scope": self.scope, "ident": ident}
