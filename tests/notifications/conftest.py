import pytest


@pytest.fixture(autouse=True)
def _site_url(settings):
    """The absolute links of e-mails and webhook payloads name this site."""
    settings.ZJAI_SITE_URL = "http://testserver.example"
