"""Whether the dashboard is served beyond this machine without anyone having asked for it.

`redlines dashboard` binds 127.0.0.1 unless given `--host`, and tells the app that the address
was chosen (the environment variable :data:`EXPLICIT_HOST`). `streamlit run dashboard/app.py`
started outside the repository root does not read `.streamlit/config.toml` and serves every
interface; the app then warns on every page (:func:`warning`).
"""

from __future__ import annotations

import ipaddress
import os

EXPLICIT_HOST = "REDLINES_EXPLICIT_HOST"
"""Set to 1 by `redlines dashboard`: the address was chosen, not Streamlit's default."""
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(address: str | None) -> bool:
    """Whether a server address serves this machine only (empty or None: every interface).

    >>> [is_loopback(a) for a in ("127.0.0.1", "::1", "localhost", "", None, "0.0.0.0")]
    [True, True, True, False, False, False]
    """
    if not address:
        return False
    if address.strip("[]").lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


def warning(address: str | None, environ: dict[str, str] | None = None) -> str | None:
    """What to tell the user when the app is served beyond this machine by accident, or None.

    >>> warning("127.0.0.1") is None, warning("0.0.0.0", {EXPLICIT_HOST: "1"}) is None
    (True, True)
    >>> warning("", {}).startswith("This dashboard is served on every network interface")
    True
    """
    environ = dict(os.environ) if environ is None else environ
    if is_loopback(address) or environ.get(EXPLICIT_HOST) == "1":
        return None
    where = f"on {address}" if address else "on every network interface"
    return (
        f"This dashboard is served {where}, not only on this machine: anyone who can reach it "
        "can upload files and run computations here. Start it with `redlines dashboard` "
        "(127.0.0.1), or `redlines dashboard --host ADDRESS` to serve a network on purpose."
    )
