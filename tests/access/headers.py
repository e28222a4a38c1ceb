"""The security headers every dynamic response must carry, checked on every URL of the walk.

Used by ``tests/access/test_url_matrix.py`` (every URL, for every role and relationship, and
anonymously) and by the header tests of ``tests/core/test_security_headers.py``.
"""

from __future__ import annotations

from django.http import HttpResponseBase

# Powerful features no Tandem page uses: a page that asks for them has been tampered with.
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as ``{directive: [source, ...]}``."""
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def missing_security_headers(path: str, response: HttpResponseBase) -> list[str]:
    """What is wrong with the response's security headers; empty when all is well."""
    problems = []
    cache_control = response.get("Cache-Control", "")
    if "no-store" not in cache_control:
        problems.append(f"Cache-Control {cache_control!r} lacks no-store")
    policy = directives(response.get("Content-Security-Policy", ""))
    scripts = policy.get("script-src", policy.get("default-src"))
    if scripts is None:
        problems.append("no Content-Security-Policy limiting scripts")
    elif {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(scripts):
        problems.append(f"scripts allowed from {scripts}")
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        if policy.get(directive) != ["'none'"]:
            problems.append(f"{directive} is {policy.get(directive)}, not 'none'")
    referrer = response.get("Referrer-Policy", "")
    # A self-report page's address is its token: a referrer may carry the origin, never the path.
    path_free = ("no-referrer", "origin", "strict-origin")
    wanted = path_free if path.startswith("/r/") else ("same-origin", *path_free)
    if referrer not in wanted:
        problems.append(f"Referrer-Policy {referrer!r} is not one of {wanted}")
    permissions = response.get("Permissions-Policy", "")
    for feature in DENIED_FEATURES:
        if f"{feature}=()" not in permissions:
            problems.append(f"Permissions-Policy {permissions!r} does not deny {feature}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    return problems
