"""The originality check now compares canonical 4-character shingles: index every stored reflection again."""

from django.db import migrations


def reindex(apps, schema_editor):
    from yanxiu.attendance.originality import rebuild_index

    rebuild_index(
        apps.get_model("attendance", "Reflection"),
        apps.get_model("attendance", "SimilarityFlag"),
        apps.get_model("attendance", "ShingleIndex"),
        apps.get_model("attendance", "ShingleStat"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ("attendance", "0002_signin_device_indexes"),
    ]

    operations = [
        migrations.RunPython(reindex, migrations.RunPython.noop),
    ]
