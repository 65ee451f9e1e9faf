"""Loading a hierarchical asset classification (code, name, parent) from a CSV or XLSX file.

China's registers use GB/T 14885 ("basic classification and codes of fixed assets and other
assets"); other places have their own lists. Panhuo ships the top levels (data/ beside this
file) and loads the full official list from whatever file the finance bureau has.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from django.db import transaction

from panhuo.core.errors import ValidationError
from panhuo.register.importing.readers import FileRejected, read_table
from panhuo.register.models import ClassificationCode

SHIPPED = Path(__file__).parent / "data" / "classification_gbt14885_top.csv"


def load_classification(stream: IO[bytes], *, filename: str = "") -> tuple[int, int]:
    """Create or update codes from a file with columns code, name, parent (parents may come
    after their children in the file). Returns (created, updated). All or nothing."""
    table = read_table(stream, filename=filename)
    headers = [h.lower() for h in table.headers]
    for needed in ("code", "name"):
        if needed not in headers:
            raise FileRejected(f"The classification file needs a “{needed}” column.")
    ci, ni = headers.index("code"), headers.index("name")
    pi = headers.index("parent") if "parent" in headers else None
    rows: dict[str, tuple[str, str, int]] = {}
    for n, cells in enumerate(table.rows, start=table.first_row):
        code = cells[ci].strip() if ci < len(cells) else ""
        if not code:
            continue
        if code in rows:
            raise ValidationError({"code": [f"Row {n}: code {code} appears twice."]})
        name = cells[ni].strip() if ni < len(cells) else ""
        parent = cells[pi].strip() if pi is not None and pi < len(cells) else ""
        rows[code] = (name or code, parent, n)
    created = updated = 0
    with transaction.atomic():
        existing = {c.code: c for c in ClassificationCode.objects.all()}
        for code, (name, _parent, _n) in rows.items():
            obj = existing.get(code)
            if obj is None:
                existing[code] = ClassificationCode.objects.create(code=code, name=name[:200])
                created += 1
            elif obj.name != name[:200]:
                obj.name = name[:200]
                obj.save(update_fields=["name"])
                updated += 1
        parent_of = {c.code: c.parent.code if c.parent_id else "" for c in existing.values()}
        for code, (_name, parent, n) in rows.items():
            if parent and parent not in existing:
                raise ValidationError({"parent": [f"Row {n}: unknown parent code {parent}."]})
            parent_of[code] = parent
        for code in rows:
            level, node, seen = 1, parent_of[code], {code}
            while node:
                if node in seen:
                    raise ValidationError({"parent": [f"Code {code} is its own ancestor."]})
                seen.add(node)
                level, node = level + 1, parent_of.get(node, "")
            obj, parent_obj = existing[code], existing.get(parent_of[code])
            if obj.parent_id != (parent_obj.pk if parent_obj else None) or obj.level != level:
                obj.parent, obj.level = parent_obj, level
                obj.save(update_fields=["parent", "level"])
    return created, updated
