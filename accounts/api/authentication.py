"""Who is calling: a token (`Authorization: Token <key>`) or a browser session.

Tokens are accounts.ApiToken rows holding only the key's SHA-256, so a key is looked up by its
digest. Each use is logged (user, time, method and path) for the audit of API access; the key
never is, nor is its digest. Both classes load the user's groups with the user, so the many
role checks of one request (`user.has_role`) cost no further queries.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import ApiToken
from accounts.services import digest_key, note_token_use

logger = logging.getLogger("zjai.api.token_use")


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` against accounts.ApiToken; revoked tokens fail."""

    keyword = "Token"
    model = ApiToken

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        now = timezone.now()
        logger.info(
            "api token %s of user %s (%s) used at %s: %s %s",
            token.pk,
            user.pk,
            user.get_username(),
            now.isoformat(),
            request.method,
            request.path,
            extra={
                "token_id": token.pk,
                "user_id": user.pk,
                "username": user.get_username(),
                "method": request.method,
                "path": request.path,
            },
        )
        note_token_use(token, now)
        return user, token

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = (
            ApiToken.objects.select_related("user")
            .prefetch_related("user__groups")
            .filter(digest=digest_key(key), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (CSRF enforced on writes), with the groups preloaded."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is not None:
            prefetch_related_objects([result[0]], "groups")
        return result
