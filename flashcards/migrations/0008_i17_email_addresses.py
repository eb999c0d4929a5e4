"""Accounts made before e-mail sign-in keep working: an address already on the user becomes
their (unverified, primary) allauth address, so they can log in with it and reset a password.
An address two accounts share goes to the older account only (addresses are unique)."""

from django.db import migrations


def addresses_from_users(apps, schema_editor):
    User = apps.get_model("auth", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    taken = {e.lower() for e in EmailAddress.objects.values_list("email", flat=True)}
    rows = []
    for user in User.objects.exclude(email="").order_by("pk").only("pk", "email"):
        email = user.email.strip().lower()
        if not email or email in taken or EmailAddress.objects.filter(user_id=user.pk).exists():
            continue
        taken.add(email)
        rows.append(EmailAddress(user_id=user.pk, email=email, verified=False, primary=True))
    EmailAddress.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("flashcards", "0007_drop_redundant_fk_indexes"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(addresses_from_users, migrations.RunPython.noop)]
