from django.db import migrations

# name, expected frequency ("" = none): the kinds of activity the seed reports count.
ACTIVITY_TYPES = [
    ("同心行活动日", "month"),
    ("同心大讲堂", "quarter"),
    ("主题教育", ""),
    ("志愿服务", ""),
    ("座谈会", ""),
    ("培训", ""),
    ("调研", ""),
    ("联谊活动", ""),
    ("其他", ""),
]


def seed(apps, schema_editor):
    ActivityType = apps.get_model("activities", "ActivityType")
    for order, (name, frequency) in enumerate(ACTIVITY_TYPES, start=1):
        ActivityType.objects.get_or_create(name=name, defaults={"expected_frequency": frequency, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
