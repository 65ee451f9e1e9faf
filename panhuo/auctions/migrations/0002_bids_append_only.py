"""Bids are append-only in the database itself: an UPDATE of a bid row is refused (a trigger on
PostgreSQL and SQLite, ``core.append_only``), as the audit log's entries are. The model and its
queryset refuse updates and deletes too; deletion is left to them (and to PROTECT from the lot
and the registration), because test databases must still be emptied between tests."""

from django.db import migrations

from panhuo.core.append_only import refuse_updates


class Migration(migrations.Migration):
    dependencies = [("auctions", "0001_initial")]
    operations = [refuse_updates("auctions_bid", "bids are append-only")]
