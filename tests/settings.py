"""The settings of the test run: zjai.settings with DEBUG=1 in the environment.

DEBUG is off unless the environment sets it (zjai/settings.py). The suite runs with the
development defaults DEBUG=1 gives (the development key, plain cookie names, unhashed static
file names), as a developer's machine does; pytest-django still turns DEBUG off while each test
runs. The variable is set in this process's environment, so the Celery workers and the other
processes the tests start inherit it; the production tests set DEBUG=0 themselves.
"""

import os

os.environ.setdefault("DEBUG", "1")

from zjai.settings import *  # noqa: F403
