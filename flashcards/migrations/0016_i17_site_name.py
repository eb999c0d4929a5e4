"""allauth's mails name the site from django.contrib.sites: call it by the app's name and host."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def name_the_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "GenAI Interview Prep"}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("flashcards", "0015_merge_20261202_0032"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(name_the_site, migrations.RunPython.noop)]
