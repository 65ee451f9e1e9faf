"""Pages of audit findings."""

urlpatterns: list = []
