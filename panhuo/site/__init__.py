"""The site: what sits on top of every stage and may use all of them — the dashboard, the root
URLconf of the pages, the demo seed (``demo/``) and the ``demo`` command, and backup and restore.
No app imports it (the import contract in pyproject.toml holds that)."""
