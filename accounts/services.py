"""Every write to accounts: the role groups, accounts saved from the admin, API tokens, and the
answers kept for the API's Idempotency-Key (bookkeeping, not audited: the writes they answer are).

Like every other write path (targets.services, enterprises.services), each function checks who
may act (accounts.rules), runs in one transaction and records its audit event. An account's
event never holds its password hash; a token's key never reaches the audit trail or a log:
events carry the token's id, name and owner only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event, snapshot
from zjai.roles import Role

from .models import ApiToken, IdempotencyKey, User
from .rules import may_manage_tokens_of

TOKEN_FIELDS = ["user", "name", "revoked_at", "revoked_by"]
KEY_PREFIX = "zjai_"
# A user with more live tokens than this has lost track of them; revoke some first.
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often per token: it says whether a token is still in
# use, and a write on every request would cost more than the request itself.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


# What an account's event records: who it is, its unit and its roles. Never the password hash.
AUDITED_USER_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "unit",
    "is_active",
    "is_staff",
    "is_superuser",
    "groups",
]


def ensure_role_groups() -> None:
    """Create the role groups if they are missing (idempotent): they are the roles' names, kept
    as data, so creating them is not audited."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)


def user_snapshot(user: User) -> dict:
    """The account as stored, its roles by name (readable in the trail, stable across ids)."""
    fresh = User.objects.prefetch_related("groups").get(pk=user.pk)
    data = snapshot(fresh, AUDITED_USER_FIELDS)
    data["groups"] = sorted(group.name for group in fresh.groups.all())
    return data


def save_account(
    user: User,
    *,
    acting_user,
    groups=None,
    permissions=None,
    reason: str = "",
) -> User:
    """Save an account as an administrator's form left it (Django's user admin: the password is
    already hashed on `user`) with its roles (`groups`) and permissions when given, and record
    who gave whom which role or deactivated whom, before and after."""
    with transaction.atomic():
        before = user_snapshot(user) if user.pk else None
        user.save()
        if groups is not None:
            user.groups.set(groups)
        if permissions is not None:
            user.user_permissions.set(permissions)
        record_event(
            action="update" if before is not None else "create",
            obj=user,
            acting_user=acting_user,
            before=before,
            after=user_snapshot(user),
            reason=reason,
        )
    return user


def create_superuser(*, acting_user, username: str, password: str | None, **fields) -> User:
    """An administrator made on the command line (`manage.py createsuperuser`, the install step,
    accounts/management/commands): saved with its create event like any account, so the replay
    (verify_audit_log --replay) accounts for it. No rule is checked: whoever runs manage.py
    holds the database already. Without a password the account cannot log in until one is set
    (Django's own behaviour)."""
    fields.setdefault("is_staff", True)
    fields.setdefault("is_superuser", True)
    user = User(username=User.normalize_username(username), **fields)
    user.email = User.objects.normalize_email(user.email)
    user.set_password(password)
    return save_account(user, acting_user=acting_user, reason="createsuperuser")


def delete_account(user: User, *, acting_user, reason: str = "") -> None:
    """Delete an account, its last state kept in the trail."""
    with transaction.atomic():
        record_event(
            action="delete",
            obj=user,
            acting_user=acting_user,
            before=user_snapshot(user),
            reason=reason,
        )
        user.delete()


def digest_key(key: str) -> str:
    """What is stored and looked up: the key's SHA-256, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A fresh key: 43 URL-safe random characters (256 bits) after a recognisable prefix, so a
    leaked key is easy to spot in a file or a repository scan."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_api_token(*, owner: User, name: str, acting_user) -> tuple[ApiToken, str]:
    """A new token for `owner`. Returns the token and its key; the key is not kept anywhere,
    so the caller shows it once."""
    if not may_manage_tokens_of(acting_user, owner):
        raise PermissionDenied(_("You may create tokens only for yourself."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Say what the token is for.")})
    if not owner.is_active:
        raise ValidationError({"user": _("This account is inactive.")})
    key = new_key()
    token = ApiToken(
        user=owner,
        name=name[:100],
        digest=digest_key(key),
        created_at=timezone.now(),
        created_by=acting_user,
    )
    with transaction.atomic():
        # Locking the owner serialises concurrent creations, so the cap below holds.
        User.objects.select_for_update().filter(pk=owner.pk).first()
        if ApiToken.objects.active().filter(user=owner).count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                {
                    "name": _("At most %(n)d active tokens per user; revoke one first.")
                    % {"n": MAX_ACTIVE_TOKENS}
                }
            )
        token.save()
        record_event(
            action="create",
            obj=token,
            acting_user=acting_user,
            after=snapshot(token, TOKEN_FIELDS),
        )
    return token, key


def revoke_api_token(token: ApiToken, *, acting_user) -> ApiToken:
    """Stop a token working at once. Revoking twice changes nothing and records nothing."""
    if not may_manage_tokens_of(acting_user, token.user):
        raise PermissionDenied(_("You may revoke only your own tokens."))
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        before = snapshot(locked, TOKEN_FIELDS)
        locked.revoked_at = timezone.now()
        locked.revoked_by = acting_user
        locked.save(update_fields=["revoked_at", "revoked_by"])
        record_event(
            action="revoke",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, TOKEN_FIELDS),
        )
    return locked


def note_token_use(token: ApiToken, now: dt.datetime) -> None:
    """Remember when a token was last used (bookkeeping, not audited: every use is logged)."""
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def keep_idempotent_answer(
    *,
    user: User,
    key: str,
    fingerprint: str,
    method: str,
    path: str,
    status: int,
    body: str,
    headers: dict[str, str],
    lifetime: dt.timedelta,
) -> IdempotencyKey:
    """Keep the answer to `user`'s write sent with `key`, in the caller's transaction (the
    write's own, zjai.api.writes), so it is kept only if the write commits. The user's expired
    keys go first, which frees an expired key for reuse and keeps the table to a day of
    writes per user."""
    now = timezone.now()
    IdempotencyKey.objects.filter(user=user, created_at__lt=now - lifetime).delete()
    return IdempotencyKey.objects.create(
        user=user,
        key=key,
        fingerprint=fingerprint,
        method=method,
        path=path[:2000],
        status=status,
        body=body,
        headers=headers,
        created_at=now,
    )


def purge_expired_idempotency_keys(*, lifetime: dt.timedelta) -> int:
    """Delete every user's expired keys (the nightly job; a user's own go on their next write).
    Returns how many."""
    deleted, _counts = IdempotencyKey.objects.filter(
        created_at__lt=timezone.now() - lifetime
    ).delete()
    return deleted
