"""The project's root and its apps, for the tests that read the code itself."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every app of the project, bottom layer first (.importlinter).
APPS = [
    "zjai",
    "audit",
    "accounts",
    "plans",
    "notifications",
    "registers",
    "enterprises",
    "projects",
    "targets",
    "reports",
    "demo",
    "portfolio",
]
