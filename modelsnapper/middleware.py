"""Response headers every page needs."""

from django.utils.cache import patch_vary_headers


class VaryOnHtmxMiddleware:
    """Pages that answer an HTMX request with a fragment vary on HX-Request.

    Without it a browser or CDN cache could serve the fragment as the full page
    (or the other way round) for the same URL. Marking every HTML response is
    simpler than remembering which views branch, and costs nothing uncached.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ("HX-Request",))
        return response
