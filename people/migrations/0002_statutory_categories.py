from django.db import migrations

from people.choices import seed_statutory_categories


def seed(apps, schema_editor):
    seed_statutory_categories(apps.get_model("people", "Category"))


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
