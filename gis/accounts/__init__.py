"""Local accounts: who may sign in, with which role and areas, and the audit log of what they did.

Accounts live in the store (``landmap_accounts``) with an argon2id hash, never a password; every
change to an account is written together with its audit entry in one transaction. Passwords are
never logged, never written to the audit log and never put in an exception message.

- ``model``: ``Account``, the errors, the policy constants, the one way an account is changed;
- ``users``: checks and admin actions (add, set role, disable, enable, reset, first admin);
- ``signin``: sign-in with its lock, password change, sign-out, downloads, session expiry.
"""

from __future__ import annotations

from gis.accounts.model import (
    FIRST_ADMIN,
    LOCK_SECONDS,
    MAX_FAILURES,
    MAX_LOCK_SECONDS,
    MIN_PASSWORD_LENGTH,
    SESSION_IDLE_MINUTES,
    SESSION_MAX_HOURS,
    Account,
    AccountLockedError,
    SignInError,
    get_account,
    list_accounts,
    one_time_password,
)
from gis.accounts.signin import (
    change_password,
    lock_seconds,
    record_download,
    record_sign_out,
    session_expired,
    sign_in,
)
from gis.accounts.users import (
    add_user,
    check_areas,
    check_password,
    check_username,
    disable_user,
    enable_user,
    ensure_first_admin,
    reset_password,
    set_preferences,
    set_role,
)

__all__ = [
    "FIRST_ADMIN",
    "LOCK_SECONDS",
    "MAX_FAILURES",
    "MAX_LOCK_SECONDS",
    "MIN_PASSWORD_LENGTH",
    "SESSION_IDLE_MINUTES",
    "SESSION_MAX_HOURS",
    "Account",
    "AccountLockedError",
    "SignInError",
    "add_user",
    "change_password",
    "check_areas",
    "check_password",
    "check_username",
    "disable_user",
    "enable_user",
    "ensure_first_admin",
    "get_account",
    "list_accounts",
    "lock_seconds",
    "one_time_password",
    "record_download",
    "record_sign_out",
    "reset_password",
    "session_expired",
    "set_preferences",
    "set_role",
    "sign_in",
]
