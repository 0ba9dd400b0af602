"""What the bad-input and security tests share: a media folder of their own, a snapshot of
everything a refused request must leave alone, and the clients of the shared API world.

Both modules run on `api_world` (tests/api/fixtures.py): the plan, one user per role in
econ-it and two in talent-office, figures of both units in every state, an enterprise and a
project of each, built once per module and rolled back after each test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.api.fixtures import World
from tests.web import client_for


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """MEDIA_ROOT of this test: evidence files land here, so a test can see every file."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def snapshot(media: Path) -> dict[str, Any]:
    """Every row a bad request could touch, the audit trail's length and the files on disk."""
    from accounts.models import ApiToken, User
    from audit.models import AuditEvent
    from enterprises.models import Enterprise
    from projects.models import Project
    from reports.models import Export
    from targets.models import Measurement

    return {
        "figures": list(
            Measurement.objects.order_by("pk").values_list(
                "pk",
                "version",
                "state",
                "value",
                "observed_on",
                "note",
                "evidence",
                "review_comment",
                "withdrawal_reason",
            )
        ),
        "enterprises": list(
            Enterprise.objects.order_by("pk").values_list(
                "pk", "version", "name_zh", "credit_code", "city", "tier", "status", "revoked_on"
            )
        ),
        "projects": list(
            Project.objects.order_by("pk").values_list(
                "pk", "version", "name_zh", "status", "planned_investment", "owner_unit_id"
            )
        ),
        "tokens": list(ApiToken.objects.order_by("pk").values_list("pk", "name", "revoked_at")),
        "users": list(User.objects.order_by("pk").values_list("pk", "username", "is_active")),
        "exports": list(Export.objects.order_by("pk").values_list("pk", "state")),
        "audit events": AuditEvent.objects.count(),
        "files": sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()),
    }


@pytest.fixture
def unchanged(world: World, media: Path) -> Callable[[], AbstractContextManager[None]]:
    """`with unchanged(): …` fails unless the block left every row, the audit trail and the
    media folder exactly as they were."""

    @contextmanager
    def check() -> Iterator[None]:
        before = snapshot(media)
        yield
        after = snapshot(media)
        changed = {key for key in before if before[key] != after[key]}
        assert not changed, f"a refused request changed {sorted(changed)}: {after}"

    return check


@pytest.fixture
def browser(world: World) -> Callable[[str], Client]:
    """browser("staff") → a Django test client signed in as that user of the world."""

    def make(name: str) -> Client:
        return client_for(world.user(name))

    return make
