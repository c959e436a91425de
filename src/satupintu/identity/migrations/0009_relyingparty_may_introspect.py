"""``RelyingParty.may_introspect`` (ADR 0135): off for every client, except the exchange gateway's
introspection client, which keeps the access it had (every confidential client could introspect
before). The gateway's client is the one named by ``SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID`` in
the environment ``migrate`` runs in, and the platform's own id ``satupintu-gateway`` (``make run``,
``exchange setup-demo``); it gets relying-party settings (the defaults, which change nothing else)
if it had none. Any other client that must introspect needs a platform admin to tick
"may introspect tokens" in the back-office after the upgrade (ADR 0135 says how to find them)."""

from django.conf import settings
from django.db import migrations, models

PLATFORM_GATEWAY_CLIENT_ID = "satupintu-gateway"  # satupintu.exchange.demo.GATEWAY_CLIENT_ID, frozen here


def gateway_client_ids() -> set[str]:
    configured = getattr(settings, "SATUPINTU_EXCHANGE_INTROSPECTION_CLIENT_ID", "") or ""
    return {PLATFORM_GATEWAY_CLIENT_ID, *([configured] if configured else [])}


def allow_gateway(apps, schema_editor):  # noqa: ANN001, ANN201 - RunPython's signature
    app_label, model_name = settings.OAUTH2_PROVIDER_APPLICATION_MODEL.split(".")
    application_model = apps.get_model(app_label, model_name)
    relying_party_model = apps.get_model("identity", "RelyingParty")
    for application in application_model.objects.filter(client_id__in=gateway_client_ids()):
        party, _created = relying_party_model.objects.get_or_create(application=application)
        if not party.may_introspect:
            party.may_introspect = True
            party.save(update_fields=["may_introspect"])


class Migration(migrations.Migration):

    dependencies = [
        ('identity', '0008_constraint_messages'),
        migrations.swappable_dependency(settings.OAUTH2_PROVIDER_APPLICATION_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='relyingparty',
            name='may_introspect',
            field=models.BooleanField(default=False, help_text="Tick only for a resource server, such as the exchange gateway's introspection client: it may ask /o/introspect/ about any token (its scope, client and expiry).", verbose_name='may introspect tokens'),
        ),
        migrations.RunPython(allow_gateway, migrations.RunPython.noop),
    ]
