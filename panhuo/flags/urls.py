"""Pages of red flags."""

urlpatterns: list = []
