"""Load the 2025–2027 holiday seed so a fresh database counts working days correctly."""

from django.db import migrations


def load(apps, schema_editor):
    from satupintu.core.holidays_io import load_holidays

    load_holidays(apps.get_model("core", "Holiday"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_holidays")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
