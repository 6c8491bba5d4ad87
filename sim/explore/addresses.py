"""Dask scheduler addresses: read and checked before anything runs, then reached briefly.

`--scheduler` takes `tcp://host:port` or `tls://host:port` (a host name, an IPv4 address or
`[an IPv6 address]`, and a port 1-65535). Anything else (another scheme, a missing port, a
stray path) is refused before the scenario is compiled. :func:`reach` then proves, within the
connect timeout (default 10 s), that a Dask scheduler answers there: the host resolves, the
port accepts a connection, and the peer replies to Dask's identity call as a scheduler. Each
step that fails says which, so a dead address is a message in about a second (a refused port
at once), never a hang or a traceback.

`tls://` needs Dask's TLS settings (a CA file, the client's certificate and key) in Dask's
configuration, e.g. `DASK_DISTRIBUTED__COMM__TLS__CA_FILE`, `..._TLS__CLIENT__CERT` and
`..._TLS__CLIENT__KEY`; without them the address is refused with that hint.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from typing import Any

SCHEMES = ("tcp", "tls")
CONNECT_TIMEOUT = 10.0
"""Seconds to reach a scheduler (`--connect-timeout`)."""


class BadAddress(ConnectionError):
    """A scheduler address that cannot be used: malformed, or no scheduler answers there."""


@dataclass(frozen=True)
class Scheduler:
    """A Dask scheduler's address, and how long to try reaching it."""

    scheme: str
    host: str
    port: int
    timeout: float = CONNECT_TIMEOUT

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def parse_scheduler(text: str, timeout: float = CONNECT_TIMEOUT) -> Scheduler:
    """The scheduler at `text` (`tcp://host:port` or `tls://host:port`), or BadAddress."""
    expected = "expected tcp://host:port or tls://host:port"
    if not timeout > 0:
        raise BadAddress(f"--connect-timeout {timeout}: must be a positive number of seconds")
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise BadAddress(f"--scheduler {text!r}: no scheme; {expected}")
    if scheme.lower() not in SCHEMES:
        raise BadAddress(f"--scheduler {text!r}: {scheme}:// is not supported; {expected}")
    if rest.startswith("["):  # [IPv6]:port
        host, bracket, port = rest[1:].partition("]")
        if not bracket or not port.startswith(":"):
            raise BadAddress(f"--scheduler {text!r}: an unclosed [IPv6 address]; {expected}")
        port = port[1:]
    else:
        host, colon, port = rest.rpartition(":")
        if not colon:
            raise BadAddress(f"--scheduler {text!r}: no port; {expected}")
    if not host or any(c.isspace() or c in "/?#@[]" for c in host):
        raise BadAddress(f"--scheduler {text!r}: no host name; {expected}")
    if not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        raise BadAddress(f"--scheduler {text!r}: the port must be a number 1-65535; {expected}")
    return Scheduler(scheme.lower(), host, int(port), timeout)


def connection_args(scheduler: Scheduler) -> dict[str, Any]:
    """Dask's connection arguments for this address, from Dask's configuration."""
    from distributed.security import Security

    security = Security()
    args = security.get_connection_args("client")
    if scheduler.scheme == "tls" and args.get("ssl_context") is None:
        raise BadAddress(
            f"--scheduler {scheduler}: tls:// needs Dask's TLS settings (a CA file and the "
            "client's certificate and key: DASK_DISTRIBUTED__COMM__TLS__CA_FILE, "
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT, DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY)"
        )
    return args


def reach(scheduler: Scheduler) -> dict[str, Any]:
    """Prove a Dask scheduler answers at `scheduler` within its timeout, or BadAddress.

    Returns the connection arguments to open a client with."""
    args = connection_args(scheduler)
    where = f"cannot reach the Dask scheduler at {scheduler}"
    try:
        with socket.create_connection((scheduler.host, scheduler.port), scheduler.timeout):
            pass
    except socket.gaierror as error:
        raise BadAddress(f"{where}: no such host ({error.strerror})") from None
    except TimeoutError:
        raise BadAddress(f"{where}: no answer within {scheduler.timeout:g} s") from None
    except OSError as error:
        raise BadAddress(f"{where}: {error.strerror or error}") from None
    try:
        identity = asyncio.run(_identity(str(scheduler), args, scheduler.timeout))
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        said = f" ({error})" if str(error) else ""
        raise BadAddress(
            f"{where}: something listens there, but no Dask scheduler answered within "
            f"{scheduler.timeout:g} s{said}"
        ) from None
    if not isinstance(identity, dict) or identity.get("type") != "Scheduler":
        raise BadAddress(f"{where}: the peer there is not a Dask scheduler")
    return args


async def _identity(address: str, args: dict[str, Any], timeout: float) -> Any:
    from distributed.core import rpc

    async with rpc(address, timeout=timeout, connection_args=args) as peer:
        return await asyncio.wait_for(peer.identity(), timeout)
