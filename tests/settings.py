"""The settings of the test run: zjai.settings with DEBUG=1 and, under pytest-xdist, a Redis
database for each xdist process.

DEBUG is off unless the environment sets it (zjai/settings.py). The suite runs with the
development defaults DEBUG=1 gives (the development key, plain cookie names, unhashed static
file names), as a developer's machine does; pytest-django still turns DEBUG off while each test
runs. The variables are set in this process's environment, so the Celery workers and the other
processes the tests start inherit them; the production tests set DEBUG=0 themselves.
"""

import os
import re

os.environ.setdefault("DEBUG", "1")


def broker_of_xdist_process(url: str, worker: str) -> str:
    """xdist's process gwK uses the Redis database K below the one of `url` (15, 14, … for
    `make test`): the tests marked `worker` purge queues, read unacknowledged messages and
    kill workers, which two processes must not do to each other's."""
    index = int(worker.removeprefix("gw"))
    match = re.fullmatch(r"(redis://[^/]+)(?:/(\d+))?", url)
    if match is None:
        raise ValueError(f"CELERY_BROKER_URL is not redis://host:port/db: {url}")
    db = int(match.group(2) or 0) - index
    if db < 0:
        raise ValueError(f"{url}: no Redis database {index} below it for xdist process {worker}")
    return f"{match.group(1)}/{db}"


if os.environ.get("CELERY_BROKER_URL") and os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["CELERY_BROKER_URL"] = broker_of_xdist_process(
        os.environ["CELERY_BROKER_URL"], os.environ["PYTEST_XDIST_WORKER"]
    )

from zjai.settings import *  # noqa: E402, F403
