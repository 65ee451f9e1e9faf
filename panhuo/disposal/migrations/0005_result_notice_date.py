"""The day a sale's result notice went up, from which its notice period counts (Order 32
art. 29). Projects that published a notice before this field existed get the day of their
``publish_result`` event, so that closing them is judged by the same gate."""

from django.db import migrations, models
from django.utils import timezone


def from_the_timeline(apps, schema_editor):
    Project = apps.get_model("disposal", "DisposalProject")
    Event = apps.get_model("disposal", "ProjectEvent")
    for event in Event.objects.filter(transition="publish_result").order_by("at", "pk"):
        Project.objects.filter(pk=event.project_id, result_published_on__isnull=True).update(
            result_published_on=timezone.localdate(event.at)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("disposal", "0004_channels_and_deadlines"),
    ]

    operations = [
        migrations.AddField(
            model_name="disposalproject",
            name="result_published_on",
            field=models.DateField(
                blank=True, null=True, verbose_name="result notice published on"
            ),
        ),
        migrations.RunPython(from_the_timeline, migrations.RunPython.noop),
    ]
