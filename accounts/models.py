from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role


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
