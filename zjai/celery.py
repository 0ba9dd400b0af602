"""The Celery application. Workers start it with `celery -A zjai worker`, beat with `celery -A zjai beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")

app = Celery("zjai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
