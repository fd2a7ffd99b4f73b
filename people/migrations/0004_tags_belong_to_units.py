"""Tags belong to a unit and are seen within scope (people.models.Tag).

Each existing tag goes to the lowest unit whose subtree holds every person carrying it: a tag used only in
one town becomes that town's (its users keep seeing it), a tag used across towns the county's, an unused tag
the root's. No tag is copied or split, no person loses a tag; towns stop seeing tags used beyond them.
The column becomes required in the next migration (PostgreSQL refuses to alter a table in the transaction
that updated its rows under deferred foreign-key checks).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

STEPLEN = 4  # org.Unit.steplen: a path is its ancestors' paths, STEPLEN characters a level


def common_ancestor_path(paths):
    paths = sorted(paths)
    first, last = paths[0], paths[-1]
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    return first[: length - length % STEPLEN]


def assign_owner_units(apps, schema_editor):
    Tag = apps.get_model("people", "Tag")
    Person = apps.get_model("people", "Person")
    Unit = apps.get_model("org", "Unit")
    root = Unit.objects.filter(depth=1).order_by("path").first()
    unit_by_path = dict(Unit.objects.values_list("path", "pk"))
    paths_by_tag = {}
    tagged = Person.tags.through.objects.values_list("tag_id", "person__owner_unit__path")
    for tag_id, path in tagged.iterator(chunk_size=2000):
        paths_by_tag.setdefault(tag_id, set()).add(path)
    for tag in Tag.objects.all():
        paths = paths_by_tag.get(tag.pk)
        owner = unit_by_path.get(common_ancestor_path(paths)) if paths else None
        if owner is None and root is not None:
            owner = root.pk
        if owner is None:  # no org tree at all, so no person either: the tag labels nothing
            tag.delete()
            continue
        tag.owner_unit_id = owner
        tag.save(update_fields=["owner_unit"])


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0001_initial'),
        ('people', '0003_hash_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='tag',
            options={'default_permissions': (), 'ordering': ['name', 'id'], 'verbose_name': '标签',
                     'verbose_name_plural': '标签'},
        ),
        migrations.AlterField(
            model_name='tag',
            name='name',
            field=models.CharField(max_length=30, verbose_name='标签'),
        ),
        migrations.AddField(
            model_name='tag',
            name='created_by',
            field=models.ForeignKey(blank=True, editable=False, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL, related_name='+',
                                    to=settings.AUTH_USER_MODEL, verbose_name='创建人'),
        ),
        migrations.AddField(
            model_name='tag',
            name='owner_unit',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='org.unit', verbose_name='所属单位'),
        ),
        migrations.RunPython(assign_owner_units, migrations.RunPython.noop),
    ]
