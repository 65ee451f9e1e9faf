"""The automated valuation model (AVM) for land and buildings, trained on Panhuo's own deals.

Each concluded or closed sale's deal price is spread over the assets of its package in
proportion to their appraisals (else their book values), giving one observed price per asset.
A gradient-boosted regression learns log(price per m²) from location, kind, size, age, income
and holding cost, and the year of the deal. Whole deals (not single assets) are held out, so the
reported error — mean and median absolute percentage error of the predicted deal total — is
measured on deals the model never saw. Fixed random states make every run repeatable.

An estimate informs; it never stands in for an appraisal where one is required (the price rules
only accept third-party appraisals).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import pickle  # only our own model, checked by its SHA-256 before loading
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.core.hooks import Hook
from panhuo.integrity.services import audit_record
from panhuo.organisation import policy
from panhuo.pricing.models import AvmRun, Valuation, ValuationKind

KINDS = ("land", "building")

#: Where the sales come from: disposal (a layer above) registers a handler
#: ``(jurisdiction=None) -> iterable of Deal`` in its AppConfig.ready.
deal_sources = Hook("pricing.avm.deal_sources")


@dataclass(frozen=True)
class Deal:
    """One concluded or closed sale: its id (deals are held out whole), day, price, assets."""

    pk: int
    on: dt.date
    price: Decimal
    assets: list


FEATURES = [
    "latitude",
    "longitude",
    "log_area",
    "is_land",
    "age_years",
    "log_income",
    "log_holding_cost",
    "deal_year",
]
METHOD = "HistGradientBoostingRegressor(log price per m²), deals held out by GroupShuffleSplit"
MIN_DEALS = 8
RANDOM_STATE = 20260630


@dataclass
class Row:
    deal: int
    asset_id: int
    features: list[float]
    area: float
    price: float  # the asset's share of the deal price


def features_of(asset, on: dt.date) -> list[float] | None:
    """The model's inputs for one asset on a date, or None when it cannot be valued (no area)."""
    area = float(asset.area or 0)
    if area <= 0 or asset.kind not in KINDS:
        return None
    age = (on - asset.acquired_on).days / 365.25 if asset.acquired_on else float("nan")
    return [
        float(asset.latitude) if asset.latitude is not None else float("nan"),
        float(asset.longitude) if asset.longitude is not None else float("nan"),
        math.log(area),
        1.0 if asset.kind == "land" else 0.0,
        age,
        math.log1p(float(asset.annual_income or 0)),
        math.log1p(float(asset.annual_holding_cost or 0)),
        on.year + (on.timetuple().tm_yday - 1) / 365.0,
    ]


def _weights(assets) -> list[float]:
    from panhuo.pricing.selectors import latest_appraisal

    weights = []
    for a in assets:
        v = latest_appraisal(a)
        w = v.value if v else (a.appraised_value or a.book_value or a.area or 0)
        weights.append(float(w))
    if sum(weights) <= 0:
        return [1.0] * len(assets)
    return weights


def training_rows(jurisdiction=None) -> list[Row]:
    """One row per land or building asset sold in a concluded or closed deal."""
    rows = []
    deals = [d for source in deal_sources.call(jurisdiction=jurisdiction) for d in source]
    for deal in deals:
        assets, on = deal.assets, deal.on
        if not assets:
            continue
        weights = _weights(assets)
        total = sum(weights)
        for a, w in zip(assets, weights, strict=True):
            f = features_of(a, on)
            if f is None:
                continue
            rows.append(Row(deal.pk, a.pk, f, float(a.area), float(deal.price) * w / total))
    return rows


def _fit(rows: list[Row]):
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    X = np.array([r.features for r in rows], dtype=float)
    y = np.array([math.log(r.price / r.area) for r in rows])
    model = HistGradientBoostingRegressor(
        max_iter=300, learning_rate=0.06, min_samples_leaf=5, random_state=RANDOM_STATE
    )
    with threadpool_limits(limits=1):  # one thread: the same result on any machine, no spinning
        model.fit(X, y)
    return model


def _predict(model, features: list[list[float]], areas: list[float]) -> list[float]:
    import numpy as np
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        logs = model.predict(np.array(features, dtype=float))
    return [math.exp(v) * a for v, a in zip(logs, areas, strict=True)]


def evaluate(rows: list[Row]) -> dict:
    """Hold out a quarter of the deals, fit on the rest, and measure the error on the deals
    held out: the predicted deal total against the deal price."""
    import numpy as np
    from sklearn.model_selection import GroupShuffleSplit

    groups = np.array([r.deal for r in rows])
    split = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=RANDOM_STATE)
    train_idx, test_idx = next(split.split(np.zeros(len(rows)), groups=groups))
    train = [rows[i] for i in train_idx]
    test = [rows[i] for i in test_idx]
    model = _fit(train)
    predicted = _predict(model, [r.features for r in test], [r.area for r in test])
    by_deal: dict[int, list[float]] = {}
    for r, p in zip(test, predicted, strict=True):
        agg = by_deal.setdefault(r.deal, [0.0, 0.0])
        agg[0] += p
        agg[1] += r.price
    apes = sorted(abs(p - actual) / actual for p, actual in by_deal.values())
    return {
        "mape": float(np.mean(apes)),
        "median_ape": float(np.median(apes)),
        "p90_ape": float(np.quantile(apes, 0.9)),
        "n_train_deals": len({r.deal for r in train}),
        "n_test_deals": len(by_deal),
        "n_train_assets": len(train),
        "n_test_assets": len(test),
    }


def avm_train(*, actor=None, jurisdiction=None) -> AvmRun:
    """Train on the recorded deals, report the held-out error, and keep the run (the stored
    model is then refitted on every deal). Refuses when there are too few deals to hold any out.
    ``actor`` None is the system (the ``panhuo avm train`` command)."""
    if actor is not None:
        if jurisdiction is None:
            raise ValidationError({"jurisdiction": [_("Name the jurisdiction to train for.")]})
        policy.require(actor, "avm", "train", jurisdiction=jurisdiction)
    rows = training_rows(jurisdiction)
    deals = len({r.deal for r in rows})
    if deals < MIN_DEALS:
        raise ValidationError(
            {
                "deals": [
                    _("%(deals)s concluded land or building deals; at least %(min_deals)s needed.")
                    % {"deals": deals, "min_deals": MIN_DEALS}
                ]
            }
        )
    metrics = evaluate(rows)
    model = _fit(rows)
    buf = io.BytesIO()
    pickle.dump(model, buf)
    blob = buf.getvalue()
    with transaction.atomic():
        run = AvmRun.objects.create(
            jurisdiction=jurisdiction,
            trained_by=actor,
            method=METHOD,
            kinds=list(KINDS),
            features=FEATURES,
            n_train=metrics["n_train_deals"],
            n_test=metrics["n_test_deals"],
            mape=Decimal(str(round(metrics["mape"], 4))),
            median_ape=Decimal(str(round(metrics["median_ape"], 4))),
            metrics={**metrics, "n_deals": deals, "n_assets": len(rows)},
            model_blob=blob,
            model_sha256=hashlib.sha256(blob).hexdigest(),
        )
        audit_record(
            actor=actor,
            action="avm.train",
            obj=run,
            after={"metrics": run.metrics, "features": FEATURES, "method": METHOD},
            jurisdiction_path=jurisdiction.path if jurisdiction else "",
        )
    return run


def load_model(run: AvmRun):
    if not run.blob_intact():
        raise ValidationError(
            {"model_run": [_("Model run #%(run)s does not match its SHA-256.") % {"run": run.pk}]}
        )
    return pickle.loads(bytes(run.model_blob))  # noqa: S301 (checked by its SHA-256 above)


def predict(asset, *, run: AvmRun, on: dt.date | None = None) -> tuple[Decimal, dict]:
    on = on or timezone.localdate()
    f = features_of(asset, on)
    if f is None:
        field = "kind" if asset.kind not in KINDS else "area"
        raise ValidationError(
            {
                field: [
                    _(
                        "The valuation model values land and buildings with an area; %(asset)s "
                        "is not one."
                    )
                    % {"asset": asset.code}
                ]
            }
        )
    value = _predict(load_model(run), [f], [float(asset.area)])[0]
    inputs = {name: (None if isinstance(x, float) and math.isnan(x) else round(x, 6))
              for name, x in zip(FEATURES, f, strict=True)}  # fmt: skip
    return Decimal(str(round(value, 2))), inputs


def avm_estimate(*, actor, asset, run: AvmRun | None = None) -> Valuation:
    """An automated-estimate valuation of ``asset`` from the latest model run, stating the
    run's held-out mean absolute percentage error."""
    from panhuo.pricing.selectors import latest_avm_run
    from panhuo.pricing.services import valuation_create

    policy.require(
        actor, "valuation", "create", jurisdiction=asset.unit.jurisdiction, units=[asset.unit_id]
    )
    run = run or latest_avm_run()
    if run is None:
        raise ValidationError({"model_run": [_("No valuation model has been trained yet.")]})
    value, inputs = predict(asset, run=run)
    return valuation_create(
        actor=actor,
        asset=asset,
        kind=ValuationKind.AUTOMATED,
        value=max(value, Decimal("0.01")),
        base_date=timezone.localdate(),
        method="model",
        inputs=inputs,
        stated_error=run.mape,
        model_run=run,
        note=f"AVM run #{run.pk}: held-out MAPE {run.mape:.2%}, median {run.median_ape:.2%}.",
    )
