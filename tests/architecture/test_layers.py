"""The shape the code keeps (STYLE.md, "Layers and owners"): the import contracts hold, and only
the services write domain data.

The import contracts are in .importlinter at the project's root; lint-imports checks them (and
prints, for a broken one, each import that breaks it). The write scan reads every module of the
apps and fails, naming file, line and call, on a write to the database anywhere but in the
services, the migrations and the demo generator's bulk inserts, so a view, an admin page, a job
or a command cannot write around the rules again."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.architecture import APPS, ROOT

# Calls that write through a manager or a queryset (Model.objects…, a related manager).
QUERYSET_WRITES = {
    "create",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
    "update",
    "delete",
}
# Calls that write an instance (or a related set) whatever the receiver is called.
INSTANCE_WRITES = {"save", "delete"}
RELATED_WRITES = {"add", "remove", "clear", "set"}
RELATED_MANAGERS = ("groups", "user_permissions", "restated_in", "named_in")

# Writes the scan finds that are not writes to the database.
NOT_DATABASE = {
    ("reports/xlsx.py", "writer", "save"): "openpyxl writes the workbook to a file",
    ("registers/import_template.py", "book", "save"): "openpyxl writes the import template",
    ("targets/evidence.py", "default_storage", "delete"): (
        "a file in storage that no figure or audit event refers to; no row changes"
    ),
}
# Where writes belong besides the services: the demo generator's bulk inserts of demo rows and
# its demo accounts (one seed_demo event records them).
ALLOWED_FILES = {"demo/generator.py", "demo/users.py"}


def is_service_module(relative: Path) -> bool:
    return relative.name == "services.py" or "services" in relative.parts[:-1]


def receiver_is_queryset(receiver: str) -> bool:
    return (
        ".objects" in receiver
        or receiver.endswith("objects")
        or "_set" in receiver
        or any(part in receiver for part in (".filter(", ".exclude(", ".all()", "_links"))
    )


def writes_in(path: Path, root: Path = ROOT) -> list[str]:
    relative = path.relative_to(root)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        receiver = ast.unparse(node.func.value)
        if (relative.as_posix(), receiver, method) in NOT_DATABASE:
            continue
        writes = (
            method in INSTANCE_WRITES
            or (method in QUERYSET_WRITES and receiver_is_queryset(receiver))
            or (method in RELATED_WRITES and receiver.endswith(RELATED_MANAGERS))
        )
        if writes:
            found.append(f"{relative.as_posix()}:{node.lineno}: {receiver}.{method}(…)")
    return found


def test_only_the_services_write_domain_data():
    offending = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or is_service_module(relative):
                continue
            if relative.as_posix() in ALLOWED_FILES:
                continue
            offending.extend(writes_in(path))
    assert not offending, "writes outside the services:\n" + "\n".join(offending)


def test_the_scan_finds_a_write_where_it_does_not_belong(tmp_path):
    """The scan itself is checked: a view that saves a model is found."""
    view = tmp_path / "zjai" / "views.py"
    view.parent.mkdir()
    view.write_text(
        "def post(request, figure):\n"
        "    figure.state = 'approved'\n"
        "    figure.save()\n"
        "    Target.objects.filter(pk=1).update(version=2)\n"
        "    context.update(figure=figure)\n",
        encoding="utf-8",
    )
    assert writes_in(view, tmp_path) == [
        "zjai/views.py:3: figure.save(…)",
        "zjai/views.py:4: Target.objects.filter(pk=1).update(…)",
    ]


def test_the_import_contracts_hold():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
