# The admin changelist's order over every status (see Proposal.Meta.indexes).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0008_filter_keys"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="proposal",
            index=models.Index(fields=["date", "id"], name="proposal_date_id"),
        ),
    ]
