"""Who is calling: a token (`Authorization: Token <key>`) or a browser session.

Tokens are accounts.ApiToken rows holding only the key's SHA-256, so a key is looked up by its
digest. Each use is logged (user, time, method and path) for the audit of API access; the key
never is, nor is its digest. Both classes load the user's groups with the user, so the many
role checks of one request (`user.has_role`) cost no further queries.

The token lookup runs on every API request, so it is one plain query (token, user and groups
together, and the data's version for the cached list pages) turned into model instances with
Model.from_db, the way the ORM itself builds them from rows: built through the ORM with
select_related and prefetch_related, the same lookup took more CPU than everything else a
cached list page does.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.models import ApiToken, User
from accounts.services import digest_key

from .caching import data_version_sql

logger = logging.getLogger("zjai.api.token_use")

# last_used_at is written at most this often per token: it says whether a token is still in
# use, and a write on every request would cost more than the request itself.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _in_model_order(model: type[models.Model], names: set[str]) -> list[str]:
    """Model.from_db takes a subset of fields in the model's own field order."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in names]


# What a request needs of the token and its user; the user's other fields load on first use.
TOKEN_FIELDS = _in_model_order(ApiToken, {"id", "user_id", "name", "last_used_at"})
USER_FIELDS = _in_model_order(User, {"id", "username", "is_active", "is_superuser", "unit_id"})


@functools.cache
def _token_query() -> str:
    qn = connection.ops.quote_name
    token, user = ApiToken._meta, User._meta
    through = User.groups.through._meta

    def columns(alias: str, meta: Any, names: list[str]) -> list[str]:
        by_attname = {f.attname: f.column for f in meta.concrete_fields}
        return [f"{alias}.{qn(by_attname[name])}" for name in names]

    select = [*columns("t", token, TOKEN_FIELDS), *columns("u", user, USER_FIELDS)]
    return (
        f"SELECT {', '.join(select)}, ({data_version_sql()}), g.{qn('id')}, g.{qn('name')} "
        f"FROM {qn(token.db_table)} t "
        f"JOIN {qn(user.db_table)} u ON u.{qn('id')} = t.{qn(token.get_field('user').column)} "
        f"LEFT JOIN {qn(through.db_table)} m "
        f"ON m.{qn(through.get_field('user').column)} = u.{qn('id')} "
        f"LEFT JOIN {qn(Group._meta.db_table)} g "
        f"ON g.{qn('id')} = m.{qn(through.get_field('group').column)} "
        f"WHERE t.{qn(token.get_field('digest').column)} = %s "
        f"AND t.{qn(token.get_field('revoked_at').column)} IS NULL"
    )


@functools.cache
def _converters(model: type[models.Model], names: tuple[str, ...]) -> list[tuple[Any, list]]:
    """Per column, the converters the ORM would apply (SQLite stores booleans and datetimes as
    numbers and text; PostgreSQL needs none)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    result = []
    for name in names:
        expression = models.Value(None, output_field=fields[name])
        result.append(
            (
                expression,
                connection.ops.get_db_converters(expression)
                + fields[name].get_db_converters(connection),
            )
        )
    return result


def _from_db(model: type[models.Model], names: list[str], values: tuple) -> Any:
    """An instance from raw column values, converted as the ORM converts them."""
    converted = []
    for value, (expression, converters) in zip(
        values, _converters(model, tuple(names)), strict=True
    ):
        for convert in converters:
            value = convert(value, expression, connection)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)


def set_groups(user: Any, groups: list[Group]) -> None:
    """Hold `groups` where prefetch_related("groups") would, so `user.groups.all()` (and with
    it `user.role`) reads them without a query."""
    queryset = user.groups.all()
    queryset._result_cache = groups
    queryset._prefetch_done = True
    if not hasattr(user, "_prefetched_objects_cache"):
        user._prefetched_objects_cache = {}
    user._prefetched_objects_cache["groups"] = queryset


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
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        with connection.cursor() as cursor:
            cursor.execute(_token_query(), [digest_key(key)])
            rows = cursor.fetchall()
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        first = rows[0]
        cut = len(TOKEN_FIELDS)
        token = _from_db(ApiToken, TOKEN_FIELDS, first[:cut])
        user = _from_db(User, USER_FIELDS, first[cut : cut + len(USER_FIELDS)])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        groups = [
            Group.from_db(connection.alias, ["id", "name"], row[-2:])
            for row in rows
            if row[-2] is not None
        ]
        set_groups(user, groups)
        token.user = user
        # Read along for the cached list pages (zjai.api.caching), saving them a round trip.
        token.data_version = first[-3] or 0
        return user, token


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (CSRF enforced on writes), with the groups preloaded."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is not None:
            models.prefetch_related_objects([result[0]], "groups")
        return result
