"""The task reports' pages answer on the embedded default (SQLite) as on PostgreSQL: the reads
use nothing PostgreSQL alone has (a DISTINCT ON once made the dashboard a 500 there)."""

import json
import os
import subprocess
import sys
from pathlib import Path


def test_the_pages_answer_on_the_embedded_default(tmp_path):
    inherited = {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-m", "tests.taskreports.pages_sqlite"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    answer = json.loads(line.removeprefix("RESULT "))
    assert answer["vendor"] == "sqlite"
    pages = answer["pages"]
    assert {name: status for name, (status, _) in pages.items()} == dict.fromkeys(pages, 200)
    # The approved report makes the task behind: on its page, its report, the dashboard's
    # counts and the tree.
    for name in ("task", "report", "dashboard", "tree"):
        assert pages[name][1], f"{name} does not show the task behind (滞后)"
