"""The public notices a project's steps put up, filled in by the portal (above disposal).

A market project (public auction, exchange listing) publishes a listing notice when it is
listed, relisted, disclosed again or its disclosure extended, and the result notice when the
office takes "Publish the result notice"; a withdrawal takes its listing notice down. The
portal registers its handler in its ``AppConfig.ready()``; ``project_transition`` calls it
inside the step's transaction, so a notice that cannot be published refuses the step.
"""

from __future__ import annotations

from panhuo.core.hooks import Hook

#: The steps that put up (or take down) a public notice.
PUBLISHING = frozenset(
    {"list", "relist", "redisclose", "extend_listing", "publish_result", "withdraw"}
)

#: ``handler(actor=, project=, transition=)``, after the step has been applied.
published = Hook("disposal.notices")
