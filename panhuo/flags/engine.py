"""Running the rules and keeping the flags: in full over a place (``panhuo flags recompute``)
or over the records one write touched (queued after its commit, see ``note_written``).

For each rule, the hits found in the scope are matched with the flags already there:

- a hit with no open flag opens one (unless a resolved flag with the same figures exists: the
  auditor's resolution stands until the figures change);
- a hit with an open flag refreshes its figures (audited when they changed) and ``last_seen``;
- an open flag in the scope with no hit is cleared (the rule no longer holds).

Every opening, change and clearing is one audit entry by the engine ("system"). Running it
twice writes nothing the second time but ``last_seen``.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from panhuo.core.bulk import update_sql
from panhuo.flags.labels import record_url, site_label, stored_links
from panhuo.flags.models import Flag, FlagStatus
from panhuo.flags.registry import RULES, Hit, Only, Rule, Scope, params_for, reaches
from panhuo.integrity.services import audit_record_many
from panhuo.organisation.models import Jurisdiction

#: Beyond this many subjects (or records written) touched, the rules run over everything.
TOUCHED_LIMIT = 500
#: Flags written (or whose ``last_seen`` moves) in one statement.
BATCH = 500
#: Up to this many changed flags (an update after a write) are written one UPDATE each, the
#: statement's text built once: the ORM's ``bulk_update`` compiled a CASE per field each time.
FEW = 20
#: The task's key for "too many records written: run every rule everywhere".
EVERYTHING = "*"


@dataclass
class Outcome:
    opened: int = 0
    updated: int = 0
    cleared: int = 0
    held: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)

    def add(self, other: Outcome) -> None:
        self.opened += other.opened
        self.updated += other.updated
        self.cleared += other.cleared
        self.held += other.held
        for k, v in other.by_rule.items():
            self.by_rule[k] = self.by_rule.get(k, 0) + v


def fingerprint(r: Rule, evidence: dict) -> str:
    """The digest of the figures that make the hit (the rule's ``key`` ones, else all)."""
    figures = {k: evidence.get(k) for k in r.key} if r.key else evidence
    text = json.dumps(figures, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(evidence: dict) -> dict:
    """Evidence as JSON values whose text never changes (amounts as text)."""
    return json.loads(json.dumps(evidence, default=str))


class _Writes:
    """A rule run's writes, made together at its end: the new flags in one INSERT per batch,
    the changed ones in one UPDATE per batch, and every audit entry in one append to the chain
    (``audit_record_many``: the same entries and hashes, in the order the run met them), and
    the ``last_seen`` of the flags whose figures stand in one UPDATE per batch. Several rules
    may share one (an update after a write): their writes are made together."""

    def __init__(self, now) -> None:
        self.now = now
        #: Flags whose figures stand: only their ``last_seen`` moves.
        self.seen: list[int] = []
        self.new: list[Flag] = []
        self.changed: list[Flag] = []
        self.cleared: list[Flag] = []
        self.entries: list[tuple[str, Flag, dict | None, dict | None]] = []
        #: The flags written and the records behind each: their links, made together.
        self.linking: list[tuple[Flag, list]] = []

    def link(self, flag: Flag, records: list) -> None:
        self.linking.append((flag, records))

    def audit(self, flag: Flag, action: str, before=None, after=None) -> None:
        self.entries.append((action, flag, before, after))

    def flush(self) -> None:
        now = self.now
        made = stored_links([records for _flag, records in self.linking])
        for (flag, _records), links in zip(self.linking, made, strict=True):
            flag.links = links
        Flag.objects.bulk_create(self.new, batch_size=BATCH)
        if len(self.changed) <= FEW:  # one UPDATE a flag, its text built once (core.bulk)
            updates = [update_sql(Flag, f.pk, {n: getattr(f, n) for n in CHANGED_FIELDS})
                       for f in self.changed]  # fmt: skip
            if updates:
                with connection.cursor() as cursor:
                    cursor.executemany(updates[0][0], [params for _sql, params in updates])
        else:  # one UPDATE for many (a CASE per field), compiled by the ORM
            Flag.objects.bulk_update(self.changed, CHANGED_FIELDS, batch_size=BATCH)
        pks = [f.pk for f in self.cleared]
        for start in range(0, len(pks), BATCH):
            Flag.objects.filter(pk__in=pks[start : start + BATCH]).update(
                status=FlagStatus.CLEARED, cleared_at=now
            )
        audit_record_many(actor=None, records=[
            (action, flag, before, after, flag.jurisdiction.path)
            for action, flag, before, after in self.entries
        ])  # fmt: skip
        for start in range(0, len(self.seen), BATCH):
            Flag.objects.filter(pk__in=self.seen[start : start + BATCH]).update(last_seen=now)


CHANGED_FIELDS = ["evidence", "fingerprint", "thresholds", "links", "last_seen"]


def _open(r: Rule, hit: Hit, evidence: dict, digest: str, thresholds: dict, now, w: _Writes):
    flag = Flag(
        rule=r.code, severity=r.severity, jurisdiction=hit.jurisdiction, unit=hit.unit,
        subject_type=hit.subject._meta.label_lower, subject_id=str(hit.subject.pk),
        subject_label=site_label(hit.subject), subject_url=record_url(hit.subject)[:300],
        evidence=evidence, fingerprint=digest, thresholds=thresholds, first_seen=now,
        last_seen=now,
    )  # fmt: skip
    w.new.append(flag)
    w.link(flag, hit.links)
    w.audit(flag, "flag.open", after={"rule": r.code, "subject": flag.subject_label,
                                      "evidence": evidence, "thresholds": thresholds})  # fmt: skip


def _refresh(flag: Flag, hit: Hit, evidence: dict, digest: str, thresholds: dict, now,
             w: _Writes) -> bool:  # fmt: skip
    """Bring an open flag's figures up to date; whether they changed (then audited). An
    unchanged flag is left to the caller, which moves every such flag's ``last_seen`` at once."""
    if flag.fingerprint == digest and flag.evidence == evidence:
        return False
    before = {"evidence": flag.evidence, "thresholds": flag.thresholds}
    flag.evidence, flag.fingerprint, flag.thresholds = evidence, digest, thresholds
    flag.last_seen = now
    w.changed.append(flag)
    w.link(flag, hit.links)
    w.audit(flag, "flag.update", before=before, after={"evidence": evidence,
                                                       "thresholds": thresholds})  # fmt: skip
    return True


def _clear(flag: Flag, now, w: _Writes) -> None:
    flag.status, flag.cleared_at = FlagStatus.CLEARED, now
    w.cleared.append(flag)
    w.audit(flag, "flag.clear", before={"status": FlagStatus.OPEN},
            after={"status": FlagStatus.CLEARED})  # fmt: skip


def run_rule(r: Rule, scope: Scope, writes: _Writes | None = None) -> Outcome:
    """Run one rule over ``scope`` and reconcile its flags there, in one transaction. With
    ``writes``, the flags and audit entries are left there for the caller to write together
    with other rules' (in its transaction); else they are written here."""
    scope.rule_code = r.code
    out = Outcome()
    w = writes if writes is not None else _Writes(timezone.now())
    now = w.now
    # No savepoint when the caller's transaction holds it (the touched rules run in one).
    with transaction.atomic(savepoint=False):
        hits = {str(h.subject.pk): h for h in r.check(scope)}
        flags = (
            Flag.objects.select_for_update()
            .filter(rule=r.code)
            .exclude(status=FlagStatus.CLEARED)
            .select_related("jurisdiction")
        )
        if scope.path != "/":  # every place's path starts with "/"
            flags = flags.filter(jurisdiction__path__startswith=scope.path)
        if scope.ids is not None:
            flags = flags.filter(subject_id__in=sorted(scope.ids | set(hits)))
        by_subject: dict[str, list[Flag]] = defaultdict(list)
        for f in flags:
            by_subject[f.subject_id].append(f)
        seen = w.seen  # flags whose figures stand: only ``last_seen`` moves
        for sid, hit in hits.items():
            evidence = _plain(hit.evidence)
            digest = fingerprint(r, evidence)
            thresholds = _plain(scope.params(hit.jurisdiction))
            current = by_subject.pop(sid, [])
            open_ = next((f for f in current if f.status == FlagStatus.OPEN), None)
            if open_ is not None:
                changed = _refresh(open_, hit, evidence, digest, thresholds, now, w)
                out.updated += changed
                if not changed:
                    seen.append(open_.pk)
                out.held += 1
            elif any(f.fingerprint == digest for f in current):
                seen.extend(f.pk for f in current)
                out.held += 1  # resolved, same figures: the resolution stands
            else:
                _open(r, hit, evidence, digest, thresholds, now, w)
                out.opened += 1
        for rest in by_subject.values():
            for f in rest:
                if f.status == FlagStatus.OPEN:
                    _clear(f, now, w)
                    out.cleared += 1
        if writes is None:
            w.flush()
    out.by_rule[r.code] = len(hits)
    return out


def recompute(
    jurisdiction: Jurisdiction | None = None,
    *,
    rules: Iterable[str] | None = None,
    progress: Callable[[str, Outcome], None] | None = None,
) -> Outcome:
    """Every rule (or those named) over ``jurisdiction`` and below (everything when None)."""
    total = Outcome()
    path = jurisdiction.path if jurisdiction else "/"
    shared: dict = {}  # the places and thresholds, read once for every rule
    for code in rules or list(RULES):
        out = run_rule(RULES[code], Scope(path=path, shared=shared))
        total.add(out)
        if progress:
            progress(code, out)
    return total


def subjects_touched(
    r: Rule,
    touched: dict[str, set[str]],
    fields: dict[str, set[str] | None] | None = None,
    memo: dict | None = None,
) -> set[str] | None:
    """The ids of ``r``'s subjects the written records reach; None: too many, run it all.
    ``fields``: per model label, the fields the writes changed (None or absent: not known, so
    every way the rule watches counts). ``memo``: the ways already followed for other rules of
    the same run (two rules reaching a sale from its assets ask once)."""
    memo = {} if memo is None else memo
    found: set[str] = set()
    for label, watch in r.watches.items():
        ids = touched.get(label)
        if not ids:
            continue
        changed = (fields or {}).get(label)
        for resolve in reaches(watch):
            if changed is not None and isinstance(resolve, Only) and not changed & resolve.fields:
                continue  # the write changed nothing this way reads
            key = (getattr(resolve, "reach", resolve), label, tuple(sorted(ids)))
            if key not in memo:
                memo[key] = {str(i) for i in resolve(sorted(ids))}
            found |= memo[key]
            if len(found) > TOUCHED_LIMIT:
                return None
    return found


def recompute_touched(
    touched: dict[str, Iterable[str]], fields: dict[str, Iterable[str] | None] | None = None
) -> Outcome:
    """Run the rules that watch the written records, over the subjects those reach (with
    ``fields``, the fields each model's writes changed: only the ways of the rules reading
    them), all in one transaction, their flags and audit entries written together at its
    end."""
    if EVERYTHING in touched:
        return recompute()
    sets = {label: {str(i) for i in ids} for label, ids in touched.items()}
    known = {label: None if f is None else set(f) for label, f in (fields or {}).items()}
    total = Outcome()
    memo: dict = {}  # the ways from the written records, followed once for all the rules
    shared: dict = {}  # the places and thresholds, read once for all the rules
    with transaction.atomic():
        writes = _Writes(timezone.now())
        for r in RULES.values():
            ids = subjects_touched(r, sets, known, memo)
            if ids is not None and not ids:
                continue
            total.add(run_rule(r, Scope(ids=ids, shared=shared), writes))
        writes.flush()
    return total


def watched_labels() -> set[str]:
    return {label for r in RULES.values() for label in r.watches}


# --- after a write ------------------------------------------------------------------------


class _Batch:
    """The records written in one transaction, queued for the rules after it commits."""

    def __init__(self) -> None:
        self.touched: dict[str, set[str]] = defaultdict(set)
        #: Per label, the fields its writes changed; None once one write's are not known.
        self.fields: dict[str, set[str] | None] = {}

    def note(self, label: str, pk: str, fields: set[str] | None) -> None:
        self.touched[label].add(pk)
        if label not in self.fields:
            self.fields[label] = None if fields is None else set(fields)
        elif self.fields[label] is not None:
            self.fields[label] = None if fields is None else self.fields[label] | fields

    def __call__(self) -> None:
        from panhuo.flags.tasks import recompute_touched_task

        if sum(len(ids) for ids in self.touched.values()) > TOUCHED_LIMIT:
            payload = {EVERYTHING: []}  # a bulk write (an import, the demo): run every rule
            fields = None
        else:
            payload = {label: sorted(ids) for label, ids in self.touched.items()}
            fields = {label: sorted(f) for label, f in self.fields.items() if f is not None}
        if fields:
            recompute_touched_task.enqueue(payload, fields)
        else:
            recompute_touched_task.enqueue(payload)


def changed_fields(label: str, before, after) -> set[str] | None:
    """The fields of ``label``'s model an audit entry says changed: the keys of its before and
    after, when every one names a field; else None (not known: a create with extra keys, a
    delete, an action recording something else)."""
    keys = set(before or {}) | set(after or {})
    if not keys or not all(isinstance(d, dict | type(None)) for d in (before, after)):
        return None
    names = _field_names(label)
    return keys if keys <= names else None


def _field_names(label: str) -> set[str]:
    if label not in _FIELDS:
        model = apps.get_model(label)
        _FIELDS[label] = {n for f in model._meta.concrete_fields for n in (f.name, f.attname)}
    return _FIELDS[label]


_FIELDS: dict[str, set[str]] = {}


#: Audit actions whose writes no rule can see: a bid (and the soft-close extension it makes) is
#: only ever placed on an open lot (auctions/bidding.py ``open_now``), and every rule reading
#: lots or their bids reads closed lots only (process_awards.py ``_closed_lots``,
#: process_late.py); the lot's close is its own audited write, which queues them. Without this
#: every bid on a hot lot queued a task and a recompute, hundreds a second, each finding nothing.
UNSEEN_ACTIONS = frozenset({"lot.bid", "lot.extend"})


def _transaction_batch() -> _Batch:
    """The write's transaction's one pending recompute, queued on commit when it has none yet
    (a transaction rolled back runs nothing)."""
    batch = next(
        (f for _sids, f, _robust in connection.run_on_commit if isinstance(f, _Batch)), None
    )
    if batch is None:
        batch = _Batch()
        transaction.on_commit(batch)
    return batch


def note_written(
    *, object_type: str, object_id: str, before=None, after=None, action: str = "", **_
) -> None:
    """The audit log's ``appended`` hook: remember a written record a rule watches (and the
    fields its entry says changed), and queue the recompute of what it reaches once the
    write's transaction commits (one task per transaction; a transaction rolled back queues
    nothing)."""
    if object_type.startswith("flags.") or object_type not in _watched():
        return
    if action in UNSEEN_ACTIONS:
        return
    batch = _transaction_batch()
    batch.note(object_type, str(object_id), changed_fields(object_type, before, after))


def note_written_many(*, rows: list[tuple]) -> None:
    """``note_written`` for many rows at once ((action, object_type, object_id, before, after)
    each; integrity's ``appended_many``): the same batch noted, its transaction's task found
    once. Once more records are touched than ``TOUCHED_LIMIT`` the rules run over everything
    and the fields changed are not read, so they are not worked out row by row."""
    watched = _watched()
    kept = [r for r in rows if r[0] not in UNSEEN_ACTIONS and r[1] in watched
            and not r[1].startswith("flags.")]  # fmt: skip
    if not kept:
        return
    batch = _transaction_batch()
    for _action, label, pk, before, after in kept:
        if sum(len(ids) for ids in batch.touched.values()) > TOUCHED_LIMIT:
            break
        batch.note(label, str(pk), changed_fields(label, before, after))
    else:
        return
    for _action, label, pk, _before, _after in kept:  # over the limit: the ids only
        batch.touched[label].add(str(pk))
        batch.fields[label] = None


_WATCHED: set[str] | None = None


def _watched() -> set[str]:
    global _WATCHED
    if _WATCHED is None:
        _WATCHED = watched_labels()
    return _WATCHED


__all__ = ["Outcome", "params_for", "recompute", "recompute_touched", "run_rule"]
