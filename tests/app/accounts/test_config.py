"""Sign-in configuration: modes from the environment, the bind rule, and when a proxy's
header is believed — attempts to cross the boundary kept as data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.accounts.config import (
    FORWARDER_ENV,
    AuthConfig,
    AuthMode,
    ConfigError,
    is_loopback,
    proxy_identity,
)

RAW = {FORWARDER_ENV: ""}  # what `andon app` sets: the server rewrites no peer address


def test_defaults_and_environment() -> None:
    assert AuthConfig.from_env({}) == AuthConfig()
    assert AuthConfig().mode is AuthMode.PASSWORD
    config = AuthConfig.from_env(
        {
            "ANDON_AUTH": "Proxy",
            "ANDON_TRUSTED_PROXIES": "127.0.0.1, 10.1.0.0/16",
            "ANDON_PROXY_HEADER": "X-Remote-User",
            "ANDON_SESSION_IDLE_MINUTES": "30",
            "ANDON_SESSION_MAX_HOURS": "12",
        }
    )
    assert config.mode is AuthMode.PROXY and config.proxy_header == "X-Remote-User"
    assert [str(n) for n in config.trusted_proxies] == ["127.0.0.1/32", "10.1.0.0/16"]
    assert (config.session.idle, config.session.absolute) == (
        timedelta(minutes=30),
        timedelta(hours=12),
    )
    assert AuthConfig.from_env(config.to_env()) == config  # what `andon app` hands over


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ANDON_AUTH": "ldap"}, "ANDON_AUTH='ldap': use one of password, proxy, oidc, none."),
        ({"ANDON_AUTH": "proxy"}, "The proxy sign-in mode needs the proxies' addresses"),
        (
            {"ANDON_AUTH": "proxy", "ANDON_TRUSTED_PROXIES": "proxy.local"},
            "'proxy.local' in ANDON_TRUSTED_PROXIES / --trusted-proxy is not an IP address",
        ),
        ({"ANDON_SESSION_IDLE_MINUTES": "ten"}, "ANDON_SESSION_IDLE_MINUTES='ten' is not a whole"),
        ({"ANDON_SESSION_MAX_HOURS": "0"}, "ANDON_SESSION_MAX_HOURS must be greater than 0."),
    ],
)
def test_broken_settings_say_what_to_fix(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        AuthConfig.from_env(env)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("127.0.1.1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("andon.example.com", False),
        (None, False),
        ("", False),
    ],
)
def test_loopback(host: str | None, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_without_sign_in_only_loopback() -> None:
    none = AuthConfig(mode=AuthMode.NONE)
    none.check_bind("127.0.0.1")
    with pytest.raises(ConfigError, match="Serving on 0.0.0.0 needs sign-in"):
        none.check_bind("0.0.0.0")
    AuthConfig(mode=AuthMode.PASSWORD).check_bind("0.0.0.0")


PROXY = AuthConfig.from_env(
    {"ANDON_AUTH": "proxy", "ANDON_TRUSTED_PROXIES": "127.0.0.1,10.9.0.0/24"}
)

# (header values, peer, environment, user name believed, reason)
PROXY_CASES = [
    (["li.wei"], "127.0.0.1", RAW, "li.wei", None),
    ([" li.wei "], "10.9.0.17", RAW, "li.wei", None),
    (["li.wei"], "::ffff:10.9.0.17", RAW, "li.wei", None),  # IPv4 mapped in IPv6
    (["admin"], "10.9.1.17", RAW, None, "untrusted_peer"),  # next network over
    (["admin"], "192.168.1.50", RAW, None, "untrusted_peer"),  # straight to the app
    (["admin"], None, RAW, None, "untrusted_peer"),
    (["admin"], "not-an-ip", RAW, None, "untrusted_peer"),
    ([], "127.0.0.1", RAW, None, "no_header"),
    ([""], "127.0.0.1", RAW, None, "no_header"),
    (["li.wei", "admin"], "127.0.0.1", RAW, None, "several"),  # a smuggled second header
    (["li.wei, admin"], "127.0.0.1", RAW, None, "several"),
    (["admin"], "127.0.0.1", {}, None, "forwarders_trusted"),  # X-Forwarded-For may rewrite
    (["admin"], "127.0.0.1", {FORWARDER_ENV: "127.0.0.1"}, None, "forwarders_trusted"),
]


@pytest.mark.parametrize(("values", "peer", "env", "username", "reason"), PROXY_CASES)
def test_proxy_header_is_believed_only_from_a_trusted_proxy(
    values: list[str], peer: str | None, env: dict, username: str | None, reason: str | None
) -> None:
    said = proxy_identity(PROXY, values, peer, env)
    assert (said.username, said.reason) == (username, reason)
