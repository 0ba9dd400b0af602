"""The global search answers on the embedded default (SQLite) as on PostgreSQL: its window
count and its case-insensitive matching use nothing PostgreSQL alone has."""

import json
import os
import subprocess
import sys
from pathlib import Path


def test_the_search_answers_on_the_embedded_default(tmp_path):
    inherited = {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-m", "tests.search.pages_sqlite"],
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
    assert answer["pages"] == {name: [200, True] for name in answer["pages"]}
