"""Audit events are append-only on PostgreSQL: a trigger refuses UPDATE and DELETE.

Other databases (the embedded SQLite default) get nothing here: the hash chain still shows any
change there, and docs/audit.md says to run production on PostgreSQL.
"""

from django.db import migrations


def install(apps, schema_editor):
    from audit.guard import install as install_trigger

    if schema_editor.connection.vendor == "postgresql":
        install_trigger(schema_editor.connection)


def remove(apps, schema_editor):
    from audit.guard import remove as remove_trigger

    if schema_editor.connection.vendor == "postgresql":
        remove_trigger(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
