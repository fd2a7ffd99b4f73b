from django.db import migrations

from people.choices import STATUTORY_CATEGORIES


def seed(apps, schema_editor):
    Category = apps.get_model("people", "Category")
    for index, (code, name, synonyms) in enumerate(STATUTORY_CATEGORIES, start=1):
        Category.objects.update_or_create(
            code=code,
            defaults={"name": name, "synonyms": "、".join(synonyms), "is_statutory": True, "sort_order": index},
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
