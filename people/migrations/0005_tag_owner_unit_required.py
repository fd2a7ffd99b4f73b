import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0004_tags_belong_to_units'),
    ]

    operations = [
        migrations.AlterField(
            model_name='tag',
            name='owner_unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                    to='org.unit', verbose_name='所属单位'),
        ),
        migrations.AddConstraint(
            model_name='tag',
            constraint=models.UniqueConstraint(fields=('owner_unit', 'name'), name='tag_unique_unit_name'),
        ),
    ]
