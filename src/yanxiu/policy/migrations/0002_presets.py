"""Load the requirement presets from the seed documents (see policy/presets.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from yanxiu.policy.presets import PRESETS

    Policy = apps.get_model("policy", "Policy")
    KindRule = apps.get_model("policy", "KindRule")
    CategoryRule = apps.get_model("policy", "CategoryRule")
    ActivityCap = apps.get_model("policy", "ActivityCap")
    for preset in PRESETS:
        if Policy.objects.filter(region__isnull=True, preset_key=preset["preset_key"]).exists():
            continue
        fields = {k: v for k, v in preset.items() if k not in ("kind_rules", "category_rules", "activity_caps")}
        policy = Policy.objects.create(valid_from_year=2000, version=1, change_reason="预设", **fields)
        for kind, minimum, rate in preset["kind_rules"]:
            KindRule.objects.create(policy=policy, kind=kind, min_amount=minimum, credits_per_hour=rate)
        for category, minimum, compulsory in preset["category_rules"]:
            CategoryRule.objects.create(policy=policy, category=category, min_amount=minimum, compulsory=compulsory)
        for activity_type, per_item, per_year, kind in preset["activity_caps"]:
            ActivityCap.objects.create(policy=policy, activity_type=activity_type, amount_per_item=per_item, max_per_year=per_year, kind=kind)


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
