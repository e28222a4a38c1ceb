"""Give every event a gap-free position and sign the chain head.

Existing events keep their digests: they were signed without a position, so they are marked
chain version 1 and numbered in id order (their order is still held by each event's previous
digest). Re-signing them would also bless whatever was done to them before this migration.
New events are version 2 and sign their position. The head is signed with the configured key.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations, models

GENESIS = "0" * 64


def _sign(message: str) -> str:
    # As tandem.audit.chain signs a head and its key check value, frozen here.
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def number_events_and_sign_head(apps, schema_editor):
    event_model = apps.get_model("audit", "AuditEvent")
    head_model = apps.get_model("audit", "AuditChainHead")
    table = schema_editor.quote_name(event_model._meta.db_table)
    events = event_model.objects.using(schema_editor.connection.alias)
    count = events.count()
    if count and settings.AUDIT_HMAC_KEY_IS_NEW:
        raise ImproperlyConfigured(
            "the audit chain has events but no audit key is configured (a new development key "
            "was generated just now): set AUDIT_HMAC_KEY or SECRET_KEY, or TANDEM_HOME"
        )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET seq = numbered.n FROM "  # noqa: S608 - table name from the model
            f"(SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM {table}) AS numbered "
            f"WHERE {table}.id = numbered.id"
        )
    head = head_model.objects.using(schema_editor.connection.alias).filter(pk=1).first()
    if head is None:
        if count:
            return  # a removed head stays removed: `tandem audit verify` reports it
        head = head_model(pk=1, last_digest=GENESIS, last_event_id=None)
    key_check = hmac.new(
        settings.AUDIT_HMAC_KEY.encode(), b"tandem audit key check", hashlib.sha256
    ).hexdigest()
    # The head's digest and last event are signed as they stand: should they disagree with the
    # last row (events removed before this migration), verification still says so.
    head.event_count = count
    head.key_check = key_check
    last_id = "" if head.last_event_id is None else str(head.last_event_id)
    head.mac = _sign("\x1f".join(["head", str(count), last_id, head.last_digest, key_check]))
    head.save()


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="position"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain_version",
            field=models.PositiveSmallIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="chain_version",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="event_count",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="key_check",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(number_events_and_sign_head, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="position"),
        ),
    ]
