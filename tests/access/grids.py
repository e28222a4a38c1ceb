"""The vocabulary of the access tables: answers by role and relationship, and admin rules.

Shared by ``tests/access/test_url_matrix.py`` and the per-app rule modules
(``tests/<app>/access.py``) so that every table is written in the same terms.
"""

from __future__ import annotations

from tandem.accounts.models import Role

RELATIONSHIPS = ("own", "team", "other_team", "other_agency")
ROLES = tuple(Role)
ANON = 302


def every(status: int) -> dict[str, int]:
    return dict.fromkeys(RELATIONSHIPS, status)


def rel(own: int, team: int, other_team: int, other_agency: int) -> dict[str, int]:
    return {"own": own, "team": team, "other_team": other_team, "other_agency": other_agency}


def grid(default: dict[str, int], **by_role: dict[str, int]) -> dict[str, dict[str, int]]:
    return {role.value: by_role.get(role.value, default) for role in ROLES}


# ---- the administration site ----------------------------------------------------------------
# Only agency administrators (staff with an agency_admin membership) get in; everyone else,
# signed in or not, is sent to the admin sign-in page. Inside, rows of other agencies answer as
# if they did not exist (the admin redirects to its index with "does not exist").
def every_role(status: int) -> dict[str, dict[str, int]]:
    return grid(every(status))


STAFF_ONLY = grid(every(302), agency_admin=every(200))
OWN_AGENCY_ONLY = grid(every(302), agency_admin=rel(200, 200, 200, 302))
READ_ONLY = grid(every(302), agency_admin=every(403))
SUPERUSER_ONLY = grid(every(302), agency_admin=every(403))


def admin_model_rules(
    app: str,
    model: str,
    *,
    add: dict[str, dict[str, int]],
    change: dict[str, dict[str, int]],
    delete: dict[str, dict[str, int]],
    changelist: dict[str, dict[str, int]] = STAFF_ONLY,
    history: dict[str, dict[str, int]] | None = None,
) -> dict[str, tuple[int, dict[str, dict[str, int]]]]:
    label = f"{app}_{model}"
    # The bare object URL only redirects to the change page, for anyone.
    return {
        f"admin:{label}_changelist": (ANON, changelist),
        f"admin:{label}_add": (ANON, add),
        f"admin:{label}_change": (ANON, change),
        f"admin:{label}_history": (ANON, change if history is None else history),
        f"admin:{label}_delete": (ANON, delete),
        f"admin/{app}/{model}/<path:object_id>/": (ANON, every_role(302)),
    }
