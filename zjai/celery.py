"""The Celery application: `celery -A zjai worker` and `celery -A zjai beat` start it."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")

app = Celery("zjai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
