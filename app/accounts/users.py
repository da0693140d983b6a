"""A user as every surface sees it: who they are, their role, their plants, their language."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.accounts.roles import ALL_PLANT_ROLES, Role
from metrics.scope import Scope


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    scope: Scope = field(default_factory=Scope.none)
    active: bool = True
    lang: str = "en"
    email: str | None = None

    def __post_init__(self) -> None:
        # admins and group viewers see every plant, whatever was granted
        if self.role in ALL_PLANT_ROLES and not self.scope.is_all:
            object.__setattr__(self, "scope", Scope.all())

    @property
    def label(self) -> str:
        """How the app names the user: "Li Wei (li.wei)"."""
        if self.display_name and self.display_name != self.username:
            return f"{self.display_name} ({self.username})"
        return self.username
