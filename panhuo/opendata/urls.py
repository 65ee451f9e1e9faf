"""Pages of open data."""

urlpatterns: list = []
