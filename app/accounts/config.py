"""How people sign in to the app, configured in one place: environment variables that
`andon app` sets from its options (and that a service file may set directly).

    ANDON_AUTH               password (default) | proxy | oidc | none
    ANDON_PROXY_HEADER       the header a trusted reverse proxy sets (X-Forwarded-User)
    ANDON_TRUSTED_PROXIES    addresses or networks of those proxies ("127.0.0.1,10.0.0.0/24")
    ANDON_OIDC_PROVIDER      the provider of .streamlit/secrets.toml [auth.<provider>]
                             (unset: the [auth] section itself)
    ANDON_SESSION_IDLE_MINUTES / ANDON_SESSION_MAX_HOURS   session expiry (480 / 24)

Modes:
    password  Andon's own users and passwords (argon2), sessions in the state store.
    proxy     the user name in ANDON_PROXY_HEADER, honoured only when the connection comes
              from an address in ANDON_TRUSTED_PROXIES; matched to an Andon user.
    oidc      OpenID Connect through Streamlit's st.login; the identity's e-mail (or
              preferred user name) is matched to an Andon user for role and plants.
    none      no sign-in: one local administrator. Only on a loopback address.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from app.accounts.service import SessionPolicy

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# uvicorn (Streamlit's server) replaces the connection's address with X-Forwarded-For from
# the addresses in FORWARDED_ALLOW_IPS (127.0.0.1 by default). Andon needs the real peer to
# decide whether a proxy header may be trusted, so `andon app` trusts no forwarder at all.
FORWARDER_ENV = "FORWARDED_ALLOW_IPS"
NO_FORWARDERS = ""


class AuthMode(StrEnum):
    PASSWORD = "password"
    PROXY = "proxy"
    OIDC = "oidc"
    NONE = "none"


class ConfigError(ValueError):
    """A sign-in setting that cannot work; the message names the setting and the fix."""


def is_loopback(host: str | None) -> bool:
    """Whether a bind address or peer is this machine only ("localhost", 127.x, ::1)."""
    if host is None:
        return False
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def parse_networks(text: str | Iterable[str]) -> tuple[Network, ...]:
    items = text.split(",") if isinstance(text, str) else list(text)
    networks = []
    for item in items:
        value = item.strip()
        if not value:
            continue
        if value.lower() == "localhost":
            networks += [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128")]
            continue
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ConfigError(
                f"{value!r} in ANDON_TRUSTED_PROXIES / --trusted-proxy is not an IP address "
                "or network (e.g. 127.0.0.1 or 10.0.0.0/24)."
            ) from None
    return tuple(networks)


@dataclass(frozen=True)
class AuthConfig:
    mode: AuthMode = AuthMode.PASSWORD
    proxy_header: str = "X-Forwarded-User"
    trusted_proxies: tuple[Network, ...] = ()
    oidc_provider: str | None = None
    session: SessionPolicy = field(default_factory=SessionPolicy)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AuthConfig:
        env = os.environ if env is None else env
        raw_mode = env.get("ANDON_AUTH", AuthMode.PASSWORD.value).strip().lower()
        try:
            mode = AuthMode(raw_mode)
        except ValueError:
            names = ", ".join(m.value for m in AuthMode)
            raise ConfigError(f"ANDON_AUTH={raw_mode!r}: use one of {names}.") from None
        idle = _number(env, "ANDON_SESSION_IDLE_MINUTES", 480)
        longest = _number(env, "ANDON_SESSION_MAX_HOURS", 24)
        config = cls(
            mode=mode,
            proxy_header=env.get("ANDON_PROXY_HEADER", "").strip() or "X-Forwarded-User",
            trusted_proxies=parse_networks(env.get("ANDON_TRUSTED_PROXIES", "")),
            oidc_provider=env.get("ANDON_OIDC_PROVIDER", "").strip() or None,
            session=SessionPolicy(idle=timedelta(minutes=idle), absolute=timedelta(hours=longest)),
        )
        config.validate()
        return config

    def validate(self) -> None:
        if self.mode is AuthMode.PROXY and not self.trusted_proxies:
            raise ConfigError(
                "The proxy sign-in mode needs the proxies' addresses: set "
                "ANDON_TRUSTED_PROXIES or pass --trusted-proxy (e.g. 127.0.0.1)."
            )
        if self.session.idle <= timedelta(0) or self.session.absolute <= timedelta(0):
            raise ConfigError("Session lengths must be greater than 0.")

    def to_env(self) -> dict[str, str]:
        """The environment that gives this configuration to the app's process."""
        env = {
            "ANDON_AUTH": self.mode.value,
            "ANDON_PROXY_HEADER": self.proxy_header,
            "ANDON_TRUSTED_PROXIES": ",".join(str(n) for n in self.trusted_proxies),
            "ANDON_SESSION_IDLE_MINUTES": str(int(self.session.idle.total_seconds() // 60)),
            "ANDON_SESSION_MAX_HOURS": str(int(self.session.absolute.total_seconds() // 3600)),
            FORWARDER_ENV: NO_FORWARDERS,
        }
        if self.oidc_provider:
            env["ANDON_OIDC_PROVIDER"] = self.oidc_provider
        return env

    @property
    def signs_in(self) -> bool:
        return self.mode is not AuthMode.NONE

    def check_bind(self, host: str) -> None:
        """Refuses to serve on an address other machines reach without sign-in."""
        if not self.signs_in and not is_loopback(host):
            raise ConfigError(
                f"Serving on {host} needs sign-in: use --auth password (or proxy / oidc); "
                "--auth none is for 127.0.0.1 only."
            )

    def trusts(self, peer: str | None) -> bool:
        """Whether a connection from `peer` comes from one of the trusted proxies."""
        if peer is None:
            return False
        try:
            address = ipaddress.ip_address(peer.strip().strip("[]"))
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return any(address in network for network in self.trusted_proxies)


def _number(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{name}={text!r} is not a whole number.") from None
    if value <= 0:
        raise ConfigError(f"{name} must be greater than 0.")
    return value


@dataclass(frozen=True)
class ProxyIdentity:
    """What the proxy header says: the user name, or why it is not believed."""

    username: str | None
    reason: str | None = None  # untrusted_peer | forwarders_trusted | no_header | several


def proxy_identity(
    config: AuthConfig,
    header_values: Sequence[str],
    peer: str | None,
    env: Mapping[str, str] | None = None,
) -> ProxyIdentity:
    """The user name the trusted proxy vouches for. `header_values` are every value of the
    configured header on the connection; `peer` is the connection's own address."""
    env = os.environ if env is None else env
    if env.get(FORWARDER_ENV) != NO_FORWARDERS:
        # the server may have rewritten the peer address from X-Forwarded-For
        return ProxyIdentity(None, "forwarders_trusted")
    if not config.trusts(peer):
        return ProxyIdentity(None, "untrusted_peer")
    values = [value.strip() for value in header_values if value.strip()]
    if not values:
        return ProxyIdentity(None, "no_header")
    if len(values) > 1 or "," in values[0]:
        return ProxyIdentity(None, "several")
    return ProxyIdentity(values[0])
