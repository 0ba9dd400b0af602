"""The role groups (the roles themselves are the frame's: zjai.roles.Role)."""

from zjai.roles import Role


def ensure_role_groups() -> None:
    """Create the role groups if they are missing (idempotent)."""
    from django.contrib.auth.models import Group

    for role in Role:
        Group.objects.get_or_create(name=role.value)
