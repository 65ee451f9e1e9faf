"""The register's JSON API, one module per thing it serves; each module's ``router`` is added
to the project's API in panhuo/api.py.

- ``assets``: the asset list (rows read by ``asset_rows``), detail, create, edit, export and
  encumbrances;
- ``codes``: classification codes;
- ``imports``: bulk imports (assets and debts) and their saved column mappings;
- ``org_imports``: the site administrator's imports of holding units and users;
- ``scope``: scope rules, proposals and decisions;
- ``saved_filters``: a user's saved list filters.
"""
