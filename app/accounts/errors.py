"""Errors about accounts, with messages in every language: each carries a catalogue key
(metrics/i18n.yaml) and its values; str() is the English text (the command line), and
`text(lang)` the page's language (the app)."""

from __future__ import annotations

from metrics.i18n import t


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says what to do instead."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(t(key, "en", **values))

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.values)


class UnknownUser(AccountError):
    pass


class TooManyAttempts(AccountError):
    """Too many failed sign-ins with one name lately (whether or not the name exists)."""


class PasswordError(AccountError):
    """A password that may not be used (too short, too long, the user name)."""
