"""panhuo loadcodes FILE: load or update the asset classification code list."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from panhuo.core.errors import ValidationError
from panhuo.register.classification import load_classification
from panhuo.register.importing.readers import FileRejected


class Command(BaseCommand):
    help = "Load a classification code list (CSV or XLSX with columns code, name, parent)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            with path.open("rb") as f:
                created, updated = load_classification(f, filename=path.name)
        except (FileRejected, ValidationError) as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        self.stdout.write(f"{created} codes created, {updated} updated.")
