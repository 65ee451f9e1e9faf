"""The register owns asset status: a disposed asset never goes back to another status, whoever
asks (an edit, the status service other apps call, an import), and a refusal writes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from panhuo.core.testing import AssetFactory
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.policy import NotPermitted
from panhuo.register.models import Asset, AssetStatus
from panhuo.register.services import asset_set_status, asset_update, status_change_refusal


def _audit_count() -> int:
    return AuditEntry.objects.filter(object_type="register.asset").count()


def test_a_disposed_asset_cannot_be_edited_back_to_idle(world):
    asset = AssetFactory(unit=world.unit, status=AssetStatus.DISPOSED)
    before = _audit_count()
    with pytest.raises(ValidationError) as refused:
        asset_update(actor=world.user("office"), asset=asset, data={"status": "idle"})
    message = refused.value.message_dict["status"][0]
    assert "“Disposed” → “Idle”" in message and "not allowed" in message
    asset.refresh_from_db()
    assert asset.status == AssetStatus.DISPOSED and asset.version == 1
    assert _audit_count() == before


def test_the_status_service_refuses_it_too_and_writes_nothing(world):
    sold = AssetFactory(unit=world.unit, status=AssetStatus.DISPOSED)
    idle = AssetFactory(unit=world.unit, status=AssetStatus.IDLE)
    before = _audit_count()
    with pytest.raises(ValidationError) as refused:
        asset_set_status(
            actor=world.user("office"), assets=[sold, idle], status="idle", reason="undo sale"
        )
    assert refused.value.message_dict["status"][0].startswith(f"{sold.code}: ")
    assert Asset.objects.get(pk=sold.pk).status == AssetStatus.DISPOSED
    assert _audit_count() == before


def test_the_status_service_writes_and_audits_an_allowed_change(world):
    asset = AssetFactory(unit=world.unit, status=AssetStatus.IDLE)
    changed = asset_set_status(
        actor=world.user("office"), assets=[asset], status="leased_out", reason="lease L-1"
    )
    assert changed == 1
    asset.refresh_from_db()
    assert asset.status == AssetStatus.LEASED_OUT and asset.version == 2
    entry = AuditEntry.objects.get(object_id=str(asset.pk), action="asset.status")
    assert entry.before == {"status": "idle"}
    assert entry.after == {"status": "leased_out", "reason": "lease L-1"}


def test_the_status_service_checks_the_register_permission_unless_the_caller_did(world):
    asset = AssetFactory(unit=world.unit, status=AssetStatus.IDLE)
    with pytest.raises(NotPermitted):
        asset_set_status(actor=world.user("auditor"), assets=[asset], status="idle", reason="x")
    asset_set_status(
        actor=world.user("auditor"),
        assets=[asset],
        status="disposed",
        reason="P-1: conclude",
        checked_by="project.conclude",
    )
    assert Asset.objects.get(pk=asset.pk).status == AssetStatus.DISPOSED


def test_an_unknown_status_is_refused(world):
    asset = AssetFactory(unit=world.unit)
    with pytest.raises(ValidationError) as refused:
        asset_set_status(actor=world.user("office"), assets=[asset], status="gone", reason="x")
    assert "Unknown asset status “gone”" in refused.value.message_dict["status"][0]


def test_the_refusal_is_translated():
    with translation.override("zh-hans"):
        message = status_change_refusal("disposed", "idle")
    assert "不允许" in message and "已处置" in message and "闲置" in message
    assert status_change_refusal("leased_out", "idle") == ""
    assert status_change_refusal("disposed", "disposed") == ""
