"""Who is who: jurisdictions, holding units, users, and the roles they hold where."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from panhuo.core.fields import optional_ref
from panhuo.core.links import page_url
from panhuo.core.money import UNIT_CHOICES


class Role(models.TextChoices):
    HEAD = "head", _("Task-force head")
    DEPUTY = "deputy", _("Task-force deputy")
    OFFICE = "office", _("Task-force office")
    UNIT_OFFICER = "unit_officer", _("Unit asset officer")
    FINANCE = "finance", _("Finance officer")
    AUDITOR = "auditor", _("Auditor")
    SUPERVISOR = "supervisor", _("Supervisor")
    BIDDER = "bidder", _("Bidder")
    #: Manages jurisdictions, units and users (and their roles) over a jurisdiction; no
    #: permission on assets, money or approvals (organisation/policy.py).
    SITE_ADMIN = "site_admin", _("Site administrator")


class Jurisdiction(models.Model):
    """A node of the province → city → district/county tree.

    ``path`` is a materialised path ("/1/4/9/") so that "this jurisdiction and everything
    below it" is one indexed prefix match instead of a recursive query.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        DISTRICT = "district", _("District / county")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    #: The name in English, for English readers and documents (optional; ``name`` is official).
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = optional_ref("self", related_name="children")
    path = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        ordering = ["path"]
        verbose_name, verbose_name_plural = _("jurisdiction"), _("jurisdictions")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        expected = (self.parent.path if self.parent else "/") + f"{self.pk}/"
        if self.path != expected:
            self.path = expected
            super().save(update_fields=["path"])

    get_absolute_url = page_url("jurisdiction-detail")

    def subtree(self) -> models.QuerySet[Jurisdiction]:
        return Jurisdiction.objects.filter(path__startswith=self.path)


class Unit(models.Model):
    """A holding unit: a department, public institution or state-owned company."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Government department")
        INSTITUTION = "institution", _("Public institution")
        SOE = "soe", _("State-owned company")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="units")
    #: 主管部门: the department that supervises a public institution or state-owned company (and
    #: answers for its assets); a unit of its own, so that its assets can be reached from it.
    supervisor = optional_ref(
        "self", related_name="supervised", verbose_name=_("supervising department")
    )
    #: 统一社会信用代码 (GB 32100-2015), checked by ``credit_code.credit_code_valid``: what
    #: identifies the unit as the party of a free transfer between state entities.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)

    class Meta:
        ordering = ["jurisdiction__path", "name"]
        verbose_name, verbose_name_plural = _("unit"), _("units")

    def __str__(self) -> str:
        return self.name

    get_absolute_url = page_url("unit-detail")


class User(AbstractUser):
    """A person who signs in. What they may do comes from their role assignments."""

    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("Interface language")
    )
    #: The unit the person reads amounts in on the pages (blank: the site's,
    #: ``PANHUO["MONEY_UNIT"]``); exports and the API stay in yuan (core/money.py).
    money_unit = models.CharField(
        _("amount unit"),
        max_length=4,
        blank=True,
        choices=UNIT_CHOICES,
        help_text=_("The unit amounts are shown in"),
    )
    #: Set when someone else chose the password (``panhuo setup``, a site administrator's
    #: reset): until the user picks their own, every page sends them to change it and the API
    #: answers 403 (organisation/password.py).
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    get_absolute_url = page_url("me", None)


class TaskForceQuerySet(models.QuerySet):
    def visible_to(self, user) -> TaskForceQuerySet:
        """The task forces ``user`` may view (policy ``taskforce.view`` over their place)."""
        from panhuo.organisation import policy

        return self.filter(policy.scope_q(user, "taskforce", "view", path="jurisdiction__path"))


class TaskForce(models.Model):
    """The cross-bureau team of one jurisdiction (专班): founded by a document (its number and
    date; the file itself is attached through the documents registry), its members over time
    in ``members``."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, on_delete=models.PROTECT, related_name="task_force"
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    #: 文号 of the founding document, e.g. 河西区政府办〔2025〕12号.
    document_number = models.CharField(_("founding document number"), max_length=100, blank=True)
    established_on = models.DateField(_("founded on"))

    objects = TaskForceQuerySet.as_manager()

    class Meta:
        ordering = ["jurisdiction__path"]
        verbose_name, verbose_name_plural = _("task force"), _("task forces")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("taskforce") + f"?jurisdiction={self.jurisdiction_id}"


class TaskForceMember(models.Model):
    """One person's membership of a task force in one position, from ``joined_on`` to
    ``left_on`` (open while empty). A change of position closes the row and opens another, so
    the rows are the history. ``assignment`` is the role assignment the membership started
    (none when the member already held that role); leaving ends it."""

    class Position(models.TextChoices):
        HEAD = "head", pgettext_lazy("task force", "Head")
        DEPUTY = "deputy", pgettext_lazy("task force", "Deputy head")
        OFFICE_DIRECTOR = "office_director", pgettext_lazy("task force", "Office director")
        STAFF = "staff", pgettext_lazy("task force", "Staff member")

    class Bureau(models.TextChoices):
        FINANCE = "finance", pgettext_lazy("bureau", "Finance bureau")
        STATE_ASSET = "state_asset", pgettext_lazy("bureau", "State-asset commission")
        TAX = "tax", pgettext_lazy("bureau", "Tax bureau")
        AUDIT = "audit", pgettext_lazy("bureau", "Audit bureau")
        NATURAL_RESOURCES = "natural_resources", pgettext_lazy("bureau", "Natural resources bureau")
        HOUSING = "housing", pgettext_lazy("bureau", "Housing and construction bureau")
        DEVELOPMENT_REFORM = (
            "development_reform",
            pgettext_lazy("bureau", "Development and reform commission"),
        )
        OTHER = "other", pgettext_lazy("bureau", "Other")

    task_force = models.ForeignKey(TaskForce, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="task_force_memberships")
    position = models.CharField(_("position held"), max_length=20, choices=Position.choices)
    seconded_from = models.CharField(_("seconded from"), max_length=20, choices=Bureau.choices)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    assignment = optional_ref(
        "RoleAssignment", related_name="+", verbose_name=_("role assignment started")
    )

    class Meta:
        ordering = ["task_force", "joined_on", "pk"]
        verbose_name, verbose_name_plural = _("task-force member"), _("task-force members")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="taskforce_member_left_after_joined",
            ),
            models.UniqueConstraint(
                fields=["task_force", "user"],
                condition=Q(left_on__isnull=True),
                name="taskforce_member_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_position_display()} @ {self.task_force}"

    def get_absolute_url(self) -> str:
        return self.task_force.get_absolute_url()

    @property
    def current(self) -> bool:
        return self.left_on is None


class RoleAssignmentQuerySet(models.QuerySet):
    def current(self) -> RoleAssignmentQuerySet:
        """The assignments in force (not ended)."""
        return self.filter(ended_at__isnull=True)


class RoleAssignment(models.Model):
    """One role held by one user over one jurisdiction (and its subtree) or one unit.

    Ending a role sets ``ended_at`` (the row stays, as its history); only assignments without
    it give permissions (policy.grants).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="assignments"
    )
    unit = optional_ref(Unit, related_name="assignments")
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user__username", "role"]
        verbose_name = _("role assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "jurisdiction", "unit"],
                condition=Q(ended_at__isnull=True),
                name="role_assignment_unique",
            ),
            # A unit asset officer is always tied to a unit; nobody else is.
            models.CheckConstraint(
                condition=(Q(role="unit_officer") & Q(unit__isnull=False))
                | (~Q(role="unit_officer") & Q(unit__isnull=True)),
                name="role_assignment_unit_iff_unit_officer",
            ),
        ]

    def __str__(self) -> str:
        where = self.unit or self.jurisdiction
        return f"{self.user} — {self.get_role_display()} @ {where}"

    get_absolute_url = page_url("me", None)


class ApiToken(models.Model):
    """A token for scripts. Only its SHA-256 is stored; the key is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    get_absolute_url = page_url("me", None)


class SignInFailure(models.Model):
    """One failed sign-in or wrong API token, counted by ``organisation/throttle.py``.

    Each failure is its own row: concurrent failures are inserted, never read-modified-written,
    so a guesser sending many attempts at once cannot have some of them go uncounted.
    ``subject`` is a digest of the user name or address, never the name itself.
    """

    scope = models.CharField(max_length=16)
    subject = models.CharField(max_length=32)
    at = models.FloatField()  # seconds since the epoch, from the throttle's clock

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["scope", "subject", "at"], name="signin_failure_lookup")]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=["user", "ip", "token-ip"]), name="signin_failure_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} failure at {self.at:.0f}"


class SignInLock(models.Model):
    """A user name or address refused until ``until`` (seconds since the epoch)."""

    scope = models.CharField(max_length=16)
    subject = models.CharField(max_length=32)
    until = models.FloatField()

    class Meta:
        ordering = ["-until"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "subject"], name="signin_lock_unique"),
            models.CheckConstraint(
                condition=Q(scope__in=["user", "ip", "token-ip"]), name="signin_lock_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} locked until {self.until:.0f}"
