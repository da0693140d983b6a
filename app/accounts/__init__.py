"""Who may use Andon: users, roles and their plants, sign-in sessions and the audit log,
kept in the state store (see README "Sign-in, roles and plants")."""

from app.accounts.audit import ACTIONS, audit, cli_actor
from app.accounts.errors import AccountError, PasswordError, TooManyAttempts, UnknownUser
from app.accounts.roles import PERMISSIONS, Action, Role, can, parse_role
from app.accounts.service import Accounts, SessionPolicy, SignedIn
from app.accounts.users import User

__all__ = [
    "ACTIONS",
    "PERMISSIONS",
    "AccountError",
    "Accounts",
    "Action",
    "PasswordError",
    "Role",
    "SessionPolicy",
    "SignedIn",
    "TooManyAttempts",
    "UnknownUser",
    "User",
    "audit",
    "can",
    "cli_actor",
    "parse_role",
]
