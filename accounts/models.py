"""Roles, permissions and scopes as data; the `Principal` is who acts, with which role and from where."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import Forbidden

ROLES = ("reader", "contributor", "coordinator", "analyst", "admin")
ROLE_LABELS = {"reader": "lecteur", "contributor": "contributeur", "coordinator": "coordinateur",
               "analyst": "analyste", "admin": "administrateur"}

# Which roles may do what. Scope (sites for contributors, régions for coordinators) is checked separately.
PERMISSIONS: dict[str, frozenset[str]] = {
    "offer.read_unpublished": frozenset({"contributor", "coordinator", "admin"}),
    "offer.edit": frozenset({"contributor", "admin"}),
    "capacity.read": frozenset({"reader", "contributor", "coordinator", "analyst", "admin"}),
    "capacity.write": frozenset({"contributor", "admin"}),
    "tension.write": frozenset({"contributor", "admin"}),
    "tension.list": frozenset({"coordinator", "admin"}),
    "board.read": frozenset({"coordinator", "admin"}),
    "audit.read": frozenset({"coordinator", "admin"}),
    "quality.read": frozenset({"contributor", "coordinator", "admin"}),
    "workflow.transition": frozenset({"contributor", "coordinator", "admin"}),
    "validation.queue": frozenset({"coordinator", "admin"}),
    "population.read": frozenset({"coordinator", "admin"}),
    "population.write": frozenset({"coordinator", "admin"}),
    "nos.report": frozenset({"coordinator", "analyst", "admin"}),
    "console.use": frozenset({"analyst", "admin"}),
    "users.manage": frozenset({"admin"}),
    # crisis modules (issue 17): plan blanc (SSE), emergency activity, adverse-event forms (FEI-RTU)
    "crisis.read": frozenset({"contributor", "coordinator", "admin"}),
    "crisis.write": frozenset({"contributor", "admin"}),
    "crisis.board": frozenset({"coordinator", "admin"}),
    "crisis.survey": frozenset({"coordinator", "admin"}),
    "emergency.report": frozenset({"contributor", "admin"}),
    "emergency.read": frozenset({"contributor", "coordinator", "admin"}),
    "emergency.dashboard": frozenset({"coordinator", "admin"}),
    "fei.file": frozenset({"reader", "contributor", "coordinator", "admin"}),
    "fei.read": frozenset({"reader", "contributor", "coordinator", "admin"}),  # then only the forms one is part of
    "fei.manage": frozenset({"coordinator", "admin"}),
    "fei.stats": frozenset({"coordinator", "admin"}),
    # anomaly reports (issue 14, FHIR Task): anyone signed in reports; the sites' contributors and the régions'
    # coordinators handle them (scope checked on the report's sites and régions, quality.anomalies)
    "anomaly.report": frozenset({"reader", "contributor", "coordinator", "analyst", "admin"}),
    "anomaly.handle": frozenset({"contributor", "coordinator", "admin"}),
    # input templates written through the FHIR API (POST / PUT Questionnaire): national, like the nomenclature
    "template.manage": frozenset({"admin"}),
}


@dataclass(frozen=True)
class User:
    username: str
    role: str
    sites: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    display_name: str | None = None
    active: bool = True
    session_epoch: int = 0  # sessions opened in an earlier epoch are over (logout ends them all)

    @classmethod
    def from_row(cls, row: dict) -> User:
        return cls(username=row["username"], role=row["role"], sites=tuple(row.get("sites") or ()),
                   regions=tuple(row.get("regions") or ()), display_name=row.get("display_name"),
                   active=bool(row.get("active", True)), session_epoch=int(row.get("session_epoch") or 0))


@dataclass(frozen=True)
class Target:
    """What a change is about, located in the territory (for scope checks and audit filtering)."""

    kind: str
    id: str
    site_finess: str | None = None
    department_code: str | None = None
    region_code: str | None = None


@dataclass(frozen=True)
class Principal:
    user: User
    via: str = "session"  # "session", "token:<id>" or "cli"
    ip: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def role(self) -> str:
        return self.user.role

    def can(self, permission: str) -> bool:
        return self.user.active and self.user.role in PERMISSIONS[permission]

    def in_scope(self, target: Target) -> bool:
        """Contributors act on their sites, coordinators on their régions, admins everywhere."""
        role = self.user.role
        if role == "admin":
            return True
        if role == "contributor":
            return target.site_finess is not None and target.site_finess in self.user.sites
        if role == "coordinator":
            return target.region_code is not None and target.region_code in self.user.regions
        return False

    def require(self, permission: str, target: Target | None = None) -> None:
        if not self.can(permission):
            raise Forbidden(f"Action réservée : votre rôle ({ROLE_LABELS.get(self.role, self.role)}) "
                            "ne le permet pas.", detail=f"{self.username} lacks {permission}")
        if target is not None and not self.in_scope(target):
            raise Forbidden("Action hors de votre périmètre (établissement ou région).",
                            detail=f"{self.username} out of scope for {target}")

    def regions_visible(self) -> list[str] | None:
        """Régions whose dashboards and audit this principal may read (None: all)."""
        if self.role == "admin":
            return None
        return list(self.user.regions)

    def regions_within(self, region: str | None) -> list[str] | None:
        """[région] when this principal may read it (else Forbidden), or every visible région when none is
        asked (None: all)."""
        visible = self.regions_visible()
        if region is None:
            return visible
        if visible is not None and region not in visible:
            raise Forbidden("Région hors de votre périmètre.")
        return [region]
