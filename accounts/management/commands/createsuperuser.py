"""Django's `createsuperuser` (the documented install step), with the account saved through
accounts.services so it has its create event: the replay (verify_audit_log --replay) would
otherwise report it as written outside the trail. Prompts, --noinput and the
DJANGO_SUPERUSER_* variables are Django's; only the final save differs.

Found before Django's own command because `accounts` is listed before `django.contrib.auth`
in INSTALLED_APPS."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands import createsuperuser

from accounts.models import User
from accounts.services import create_superuser
from audit.context import acting_as

ACTOR = "command:createsuperuser"


class _Manager:
    """The user manager as Django's command uses it: lookups as usual, the create through the
    service."""

    def __init__(self, manager: Any) -> None:
        self.manager = manager

    def db_manager(self, using: str | None = None, **kwargs: Any) -> _Manager:
        return _Manager(self.manager.db_manager(using, **kwargs))

    def get_by_natural_key(self, key: str) -> User:
        return self.manager.get_by_natural_key(key)

    def create_superuser(self, username: str, email: str | None = None, password=None, **fields):
        return create_superuser(
            acting_user=None, username=username, password=password, email=email or "", **fields
        )


class _UserModel:
    """User, for Django's command, with its manager swapped for _Manager."""

    _default_manager = _Manager(User._default_manager)

    def __getattr__(self, name: str) -> Any:
        return getattr(User, name)

    def __call__(self, **fields: Any) -> User:
        return User(**fields)


class Command(createsuperuser.Command):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.UserModel = _UserModel()  # type: ignore[assignment]

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(ACTOR):
            super().handle(*args, **options)
