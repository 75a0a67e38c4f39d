"""The ledger's HMAC column, and on PostgreSQL a trigger refusing UPDATE and DELETE of entries.

The trigger lets one UPDATE through: one that changes nothing but ``mac``
(``yanxiu ledger_rekey`` keying entries written before this migration).
TRUNCATE, which Django's test flush uses on PostgreSQL, and DROP TABLE
(``pg_restore --clean``) are not row operations and are not refused. SQLite
has no trigger: a DELETE trigger there would break the flush of transactional
tests; the HMAC and the signed heads find changes on both databases.
"""

from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION credits_creditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'mac') = (to_jsonb(OLD) - 'mac') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'credit ledger entries are append-only: % of entry % refused', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege', HINT = 'write a reversal entry (yanxiu.credits.ledger.credit_reverse)';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS credits_creditentry_append_only ON credits_creditentry;
CREATE TRIGGER credits_creditentry_append_only
    BEFORE UPDATE OR DELETE ON credits_creditentry
    FOR EACH ROW EXECUTE FUNCTION credits_creditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS credits_creditentry_append_only ON credits_creditentry;
DROP FUNCTION IF EXISTS credits_creditentry_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("credits", "0002_ledger_head"),
    ]

    operations = [
        migrations.AddField(
            model_name="creditentry",
            name="mac",
            field=models.CharField(blank=True, default="", editable=False, max_length=64, verbose_name="密钥校验码"),
        ),
        migrations.RunPython(install, remove),
    ]
