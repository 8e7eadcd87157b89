"""PostgreSQL's `unaccent` extension, for searches that ignore accents (core/search.py).

Does nothing on SQLite (CreateExtension only runs on PostgreSQL), where core's
AppConfig registers a Python function of the same name on each connection.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0001_outbox")]

    operations = [UnaccentExtension()]
