"""Chinese first: browser pages are in Simplified Chinese until the user picks English."""


class ChineseFirstMiddleware:
    """Drops the browser's Accept-Language on pages, so LocaleMiddleware chooses the language
    from the language switch's cookie, else LANGUAGE_CODE (zh-hans): provincial staff whose
    browsers happen to be set to English still see the Chinese interface first. API clients
    keep choosing with Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
