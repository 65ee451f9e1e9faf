from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "panhuo.approvals"
    label = "approvals"
    # Approvals imports no app above it: disposal joins the chains in DisposalConfig.ready
    # (panhuo/disposal/approval_hooks.py) and names its channels (registry.register_channels).
