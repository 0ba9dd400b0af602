"""The demo users: one per role of DESIGN.md §1, plus staff of two more units and the
coordinating office's administrator (`coordinator`).

A password is generated with `secrets` when a user is created (or on `--reset-passwords`) and
handed back once so the command can print it; it is stored only as a hash. Existing users are
otherwise left exactly as they are: a later run keeps their passwords.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.contrib.auth.models import Group

from accounts.models import User
from accounts.services import ensure_role_groups
from plans.models import ResponsibleUnit
from zjai.roles import Role


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    unit_code: str
    first_name: str
    superuser: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", Role.ADMIN, "econ-it", "演示·管理员", superuser=True),
    DemoUser("reviewer", Role.REVIEWER, "econ-it", "演示·审核员"),
    DemoUser("staff", Role.STAFF, "econ-it", "演示·填报员"),
    DemoUser("staff_sci", Role.STAFF, "sci-tech", "演示·填报员（科技厅）"),
    DemoUser("staff_talent", Role.STAFF, "talent-office", "演示·填报员（人才办）"),
    DemoUser("auditor", Role.AUDITOR, "econ-it", "演示·审计员"),
    # The coordinating office (督查督办): an administrator of the lead department who follows
    # up late task reports and issues supervision notices.
    DemoUser("coordinator", Role.ADMIN, "econ-it", "演示·督办协调员"),
)
DEMO_USERNAMES: tuple[str, ...] = tuple(spec.username for spec in DEMO_USERS)
PASSWORD_BYTES = 12  # token_urlsafe(12): 16 URL-safe characters


@dataclass(frozen=True)
class Credential:
    """A password set by this run, to be shown once."""

    username: str
    role: str
    unit: str
    password: str


@dataclass
class UsersResult:
    created: list[str] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


def _create(spec: DemoUser, unit: ResponsibleUnit | None, group: Group, password: str) -> User:
    user = User.objects.create_user(
        username=spec.username,
        password=password,
        first_name=spec.first_name,
        unit=unit,
        is_staff=spec.superuser,
        is_superuser=spec.superuser,
        is_demo=True,
    )
    user.groups.add(group)
    return user


def ensure_demo_users(*, reset_passwords: bool = False) -> UsersResult:
    """Create the demo users that are missing; with `reset_passwords`, give all of them new
    passwords. Returns what was done and the passwords set (never stored in clear)."""
    ensure_role_groups()
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    units = {
        u.code: u
        for u in ResponsibleUnit.objects.filter(code__in={s.unit_code for s in DEMO_USERS})
    }
    existing = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    result = UsersResult()
    for spec in DEMO_USERS:
        user = existing.get(spec.username)
        if user is None:
            password = new_password()
            _create(spec, units.get(spec.unit_code), groups[spec.role], password)
            result.created.append(spec.username)
        elif reset_passwords and user.is_demo:
            # Only accounts seed_demo made: a real user who happens to be called "admin" keeps
            # their password.
            password = new_password()
            user.set_password(password)
            user.save(update_fields=["password"])
            result.reset.append(spec.username)
        else:
            result.unchanged.append(spec.username)
            continue
        result.credentials.append(Credential(spec.username, spec.role, spec.unit_code, password))
    return result


@dataclass(frozen=True)
class DemoPeople:
    """User ids of the demo users, to attribute the demo figures: username → (id, unit id)."""

    users: dict[str, tuple[int, int | None]]

    def id_of(self, username: str) -> int | None:
        found = self.users.get(username)
        return found[0] if found else None

    def staff_of_unit(self, unit_id: int | None) -> int | None:
        for spec in DEMO_USERS:
            found = self.users.get(spec.username)
            if spec.role == Role.STAFF and found and found[1] == unit_id:
                return found[0]
        return None

    def reviewer_of_unit(self, unit_id: int | None) -> int | None:
        found = self.users.get("reviewer")
        return found[0] if found and found[1] == unit_id else None


def demo_people() -> DemoPeople:
    """The demo users as they are in the database (one query)."""
    rows = User.objects.filter(username__in=DEMO_USERNAMES, is_demo=True).values_list(
        "username", "pk", "unit_id"
    )
    return DemoPeople({username: (pk, unit_id) for username, pk, unit_id in rows})
