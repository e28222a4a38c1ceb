"""The feedback app's migrations as the last release before the split shipped them.

``tests/core/test_migration_operations.py`` runs these to build a database of that release,
whose tables ``alerts`` and ``reports`` then adopt. Copied from
``src/tandem/feedback/migrations/0001_initial.py`` and ``0002_alliance_is_rprs.py``: do not edit.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.migrations.operations.base import Operation

APPLIED = ["0001_initial", "0002_alliance_is_rprs"]

OPERATIONS: list[Operation] = [
    migrations.CreateModel(
        name="Alert",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "rule",
                models.CharField(
                    choices=[
                        ("alliance_drop", "Alliance dropped reliably"),
                        ("outcome_deteriorated", "Outcome deteriorated reliably"),
                        ("not_on_track", "Not on track at mid-episode"),
                        ("measure_overdue", "Measure overdue"),
                        ("time_limit_near", "Time limit within two weeks"),
                        ("no_recent_contact", "No contact in 21 days"),
                        ("caseload_above_target", "Caseload above target"),
                        ("supervision_not_held", "Supervision not held"),
                    ],
                    max_length=32,
                    verbose_name="rule",
                ),
            ),
            ("subject_key", models.CharField(max_length=64)),
            ("reason", models.JSONField(default=dict, verbose_name="reason")),
            (
                "status",
                models.CharField(
                    choices=[
                        ("open", "Open"),
                        ("discussed", "Discussed"),
                        ("action_agreed", "Action agreed"),
                        ("resolved", "Resolved"),
                    ],
                    default="open",
                    max_length=14,
                    verbose_name="status",
                ),
            ),
            ("opened_on", models.DateField(verbose_name="opened on")),
            (
                "escalated_at",
                models.DateTimeField(blank=True, null=True, verbose_name="sent to the supervisor"),
            ),
            ("resolved_at", models.DateTimeField(blank=True, null=True, verbose_name="resolved")),
            ("version", models.PositiveIntegerField(default=1)),
            ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
            ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
            (
                "client",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="alerts",
                    to="clients.client",
                ),
            ),
            (
                "episode",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="alerts",
                    to="clients.episode",
                ),
            ),
            (
                "team",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="alerts",
                    to="orgs.team",
                ),
            ),
            (
                "worker",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="alerts",
                    to=settings.AUTH_USER_MODEL,
                    verbose_name="case manager",
                ),
            ),
        ],
        options={
            "verbose_name": "alert",
            "verbose_name_plural": "alerts",
            "ordering": ["-opened_on", "-pk"],
        },
    ),
    migrations.CreateModel(
        name="AgendaItem",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "kind",
                models.CharField(
                    choices=[
                        ("group", "Group supervision"),
                        ("individual", "Individual supervision"),
                    ],
                    max_length=10,
                    verbose_name="supervision",
                ),
            ),
            ("added_at", models.DateTimeField(auto_now_add=True, verbose_name="added")),
            ("decision", models.TextField(blank=True, verbose_name="what was decided")),
            ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
            (
                "added_by",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            (
                "decided_by",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            (
                "session",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.SET_NULL,
                    related_name="agenda_items",
                    to="practice.supervisionsession",
                    verbose_name="discussed in",
                ),
            ),
            (
                "team",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="+", to="orgs.team"
                ),
            ),
            (
                "alert",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="agenda_items",
                    to="feedback.alert",
                ),
            ),
        ],
        options={
            "verbose_name": "agenda item",
            "verbose_name_plural": "agenda items",
            "ordering": ["added_at", "pk"],
        },
    ),
    migrations.CreateModel(
        name="AlertPolicy",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "alliance_instrument",
                models.CharField(
                    default="wai_sr", max_length=40, verbose_name="alliance instrument"
                ),
            ),
            (
                "alliance_sd",
                models.FloatField(
                    blank=True,
                    help_text="With the reliability, sets the reliable-change amount of the alliance.",  # noqa: E501
                    null=True,
                    verbose_name="alliance reference SD",
                ),
            ),
            (
                "alliance_reliability",
                models.FloatField(
                    blank=True,
                    null=True,
                    validators=[
                        django.core.validators.MinValueValidator(0.0),
                        django.core.validators.MaxValueValidator(0.999),
                    ],
                    verbose_name="alliance reference reliability",
                ),
            ),
            (
                "outcome_instrument",
                models.CharField(default="rprs", max_length=40, verbose_name="outcome instrument"),
            ),
            (
                "outcome_sd",
                models.FloatField(blank=True, null=True, verbose_name="outcome reference SD"),
            ),
            (
                "outcome_reliability",
                models.FloatField(
                    blank=True,
                    null=True,
                    validators=[
                        django.core.validators.MinValueValidator(0.0),
                        django.core.validators.MaxValueValidator(0.999),
                    ],
                    verbose_name="outcome reference reliability",
                ),
            ),
            (
                "time_limit_warning_days",
                models.PositiveSmallIntegerField(
                    default=14, verbose_name="warn this many days before the time limit"
                ),
            ),
            (
                "no_contact_days",
                models.PositiveSmallIntegerField(
                    default=21, verbose_name="alert after this many days without contact"
                ),
            ),
            (
                "supervision_gap_days",
                models.PositiveSmallIntegerField(
                    default=14, verbose_name="alert when supervision not held for this many days"
                ),
            ),
            (
                "escalate_after_days",
                models.PositiveSmallIntegerField(
                    default=14,
                    verbose_name="send an open alert to the supervisor after this many days",
                ),
            ),
            ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
            (
                "programme",
                models.OneToOneField(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="alert_policy",
                    to="orgs.programme",
                ),
            ),
        ],
        options={
            "verbose_name": "alert thresholds",
            "verbose_name_plural": "alert thresholds",
        },
    ),
    migrations.CreateModel(
        name="AlertStep",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "status",
                models.CharField(
                    choices=[
                        ("open", "Open"),
                        ("discussed", "Discussed"),
                        ("action_agreed", "Action agreed"),
                        ("resolved", "Resolved"),
                    ],
                    max_length=14,
                    verbose_name="status",
                ),
            ),
            ("note", models.TextField(blank=True, verbose_name="note")),
            ("at", models.DateTimeField(auto_now_add=True, verbose_name="when")),
            (
                "actor",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            (
                "alert",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="steps",
                    to="feedback.alert",
                ),
            ),
        ],
        options={
            "verbose_name": "alert step",
            "verbose_name_plural": "alert steps",
            "ordering": ["at", "pk"],
        },
    ),
    migrations.CreateModel(
        name="Report",
        fields=[
            (
                "id",
                models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                ),
            ),
            (
                "kind",
                models.CharField(
                    choices=[
                        ("team_quarter", "Quarterly team report"),
                        ("programme", "Programme report"),
                    ],
                    max_length=14,
                    verbose_name="kind",
                ),
            ),
            ("period_start", models.DateField(verbose_name="from")),
            ("period_end", models.DateField(verbose_name="to")),
            ("language", models.CharField(default="en", max_length=8, verbose_name="language")),
            (
                "status",
                models.CharField(
                    choices=[
                        ("queued", "Queued"),
                        ("running", "Being generated"),
                        ("done", "Ready"),
                        ("failed", "Failed"),
                    ],
                    default="queued",
                    max_length=8,
                    verbose_name="status",
                ),
            ),
            ("requested_at", models.DateTimeField(auto_now_add=True, verbose_name="requested")),
            ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished")),
            ("pdf", models.BinaryField(blank=True, null=True, verbose_name="PDF")),
            ("error", models.CharField(blank=True, max_length=300, verbose_name="error")),
            (
                "programme",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="reports",
                    to="orgs.programme",
                ),
            ),
            (
                "requested_by",
                models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to=settings.AUTH_USER_MODEL,
                ),
            ),
            (
                "team",
                models.ForeignKey(
                    blank=True,
                    null=True,
                    on_delete=django.db.models.deletion.CASCADE,
                    related_name="reports",
                    to="orgs.team",
                ),
            ),
        ],
        options={
            "verbose_name": "report",
            "verbose_name_plural": "reports",
            "ordering": ["-requested_at", "-pk"],
        },
    ),
    migrations.AddIndex(
        model_name="alert",
        index=models.Index(fields=["team", "status"], name="feedback_al_team_id_cf1f1a_idx"),
    ),
    migrations.AddIndex(
        model_name="alert",
        index=models.Index(fields=["worker", "status"], name="feedback_al_worker__7e9c5d_idx"),
    ),
    migrations.AddIndex(
        model_name="alert",
        index=models.Index(fields=["episode", "status"], name="feedback_al_episode_84b93b_idx"),
    ),
    migrations.AddConstraint(
        model_name="alert",
        constraint=models.UniqueConstraint(
            condition=models.Q(("status", "resolved"), _negated=True),
            fields=("rule", "team", "subject_key"),
            name="one_unresolved_alert_per_condition",
        ),
    ),
    migrations.AddConstraint(
        model_name="agendaitem",
        constraint=models.UniqueConstraint(
            condition=models.Q(("decided_at__isnull", True)),
            fields=("alert", "kind"),
            name="one_pending_agenda_item_per_kind",
        ),
    ),
    # 0002_alliance_is_rprs
    migrations.AlterField(
        model_name="alertpolicy",
        name="alliance_instrument",
        field=models.CharField(default="rprs", max_length=40, verbose_name="alliance instrument"),
    ),
    migrations.AlterField(
        model_name="alertpolicy",
        name="outcome_instrument",
        field=models.CharField(default="mcas", max_length=40, verbose_name="outcome instrument"),
    ),
]
