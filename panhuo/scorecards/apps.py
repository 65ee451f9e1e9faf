from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScorecardsConfig(AppConfig):
    """Scorecards per unit and period, and the rewards and punishments decided on them.

    Above the work plans (targets and weights), the red flags and the auditor's findings
    (compliance), and the register (data quality), so that every figure can drill down to them.
    """

    name = "panhuo.scorecards"
    label = "scorecards"
    verbose_name = _("Scorecards")

    def ready(self) -> None:
        # The policy rules, the "score_decision" approval purpose and its decision handler.
        from panhuo.scorecards import approval  # noqa: F401
