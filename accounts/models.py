from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from zjai.roles import Role

from . import rules


class User(AbstractUser):
    """A person or an API client. Every user belongs to one responsible unit; role = group."""

    unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # Accounts made by seed_demo, so that re-seeding never touches a real account of the same name.
    is_demo = models.BooleanField(_("demo account"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def role(self) -> str | None:
        """The user's role: superusers are admins; otherwise the first role group they are in."""
        if self.is_superuser:
            return Role.ADMIN
        names = {group.name for group in self.groups.all()}
        for role in (Role.ADMIN, Role.REVIEWER, Role.STAFF, Role.AUDITOR):
            if role in names:
                return role
        return None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def for_user(self, user) -> ApiTokenQuerySet:
        """Admins see every token; everyone else sees only their own."""
        if not user.is_authenticated:
            return self.none()
        if rules.sees_every_token(user):
            return self
        return self.filter(user=user)


class ApiToken(models.Model):
    """A key an API client sends as `Authorization: Token <key>`.

    Only the SHA-256 digest of the key is stored, so the key is shown once, when the token is
    created, and cannot be read back by anyone later (not an administrator, not a database
    dump). Keys are long random strings, so a fast hash is enough: there is nothing to guess.
    Revoking keeps the row, so who used which token stays traceable.
    """

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    digest = models.CharField(_("key digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyKey(models.Model):
    """The answer given to a write sent with `Idempotency-Key`, kept for a day per user, so that
    a retry of the same request gets the same answer instead of writing twice.

    Written in the same transaction as the write it answers (zjai.api.writes): the row exists
    exactly when the write committed. Bookkeeping of the API, not audited (the write it answers
    is). The body is the answer's JSON as sent, keys in order.
    """

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="idempotency_keys",
        verbose_name=_("user"),
    )
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(
        _("request fingerprint"),
        max_length=64,
        help_text=_("SHA-256 of the method, path and body of the request that used the key."),
    )
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=2000)
    status = models.PositiveSmallIntegerField(_("status"))
    body = models.TextField(_("body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="accounts_idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
