"""Addresses: `--scheduler` checked before anything runs and reached within `--connect-timeout`,
`redlines dashboard --host/--port` checked before the server starts. Each bad one is exit 2 and
one line naming the flag or the address; never a traceback, a hang or an ignored exception."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner, Result

from sim import api
from sim.cli.app import app
from sim.explore.addresses import BadAddress, Scheduler, parse_scheduler
from tests.builders import BASELINE, REPO

REDLINES = [sys.executable, "-m", "sim.cli"]


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def refused(said: Result | subprocess.CompletedProcess[str], *names: str) -> None:
    stderr = said.stderr
    code = said.exit_code if isinstance(said, Result) else said.returncode
    assert code == 2, stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    for name in names:
        assert name in stderr, (name, stderr)


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent() -> Iterator[int]:
    """A port that accepts connections and never says a word (not a Dask scheduler)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("http://127.0.0.1:8786", "http:// is not supported"),
        ("inproc://127.0.0.1/1/1", "inproc:// is not supported"),
        ("ws://127.0.0.1:8786", "ws:// is not supported"),
        ("garbage", "no scheme"),
        ("127.0.0.1:8786", "no scheme"),
        ("tcp://127.0.0.1", "no port"),
        ("tcp://127.0.0.1:0", "the port"),
        ("tcp://127.0.0.1:99999", "the port"),
        ("tcp://127.0.0.1:87a6", "the port"),
        ("tcp://:8786", "no host"),
        ("tcp://a b:8786", "no host"),
        ("tcp://[::1:8786", "closing bracket"),
        ("tcp://[not-ipv6]:8786", "not an IPv6 address"),
        ("tcp://::1:8786", "needs brackets"),
        ("tcp://1.2.3.4:5:6", "needs brackets"),
        ("tcp://user@10.0.0.5:8786", "user name"),
        ("tcp://10.0.0.5:8786/", "a path after the port"),
        ("tcp://a..b:8786", "not a valid host name"),
        (f"tcp://{'x' * 64}.example:8786", "not a valid host name"),
    ],
)
def test_a_malformed_scheduler_is_refused_before_anything_runs(address: str, why: str) -> None:
    for command in ("sweep", "discover"):
        said = cli(command, str(BASELINE), "--runs", "10", "--scheduler", address)
        refused(said, "--scheduler", repr(address), why)
    said = cli("sensitivity", str(BASELINE), "--runs", "5", "--scheduler", address)
    refused(said, repr(address))
    with pytest.raises(api.BadInput, match=re.escape(why)):
        api.sweep(BASELINE, 10, scheduler=address)


def test_a_well_formed_scheduler_is_read() -> None:
    assert parse_scheduler("tcp://10.0.0.5:8786") == Scheduler("tcp", "10.0.0.5", 8786)
    assert parse_scheduler("TLS://sched.example:1", 2.5) == Scheduler(
        "tls", "sched.example", 1, 2.5
    )
    assert str(parse_scheduler("tcp://[::1]:8786")) == "tcp://[::1]:8786"
    with pytest.raises(BadAddress, match="--connect-timeout"):
        parse_scheduler("tcp://10.0.0.5:8786", 0)


def test_a_refused_port_is_a_message_at_once(closed_port: int) -> None:
    said = cli(
        "sweep", str(BASELINE), "--runs", "10", "--scheduler", f"tcp://127.0.0.1:{closed_port}"
    )
    refused(said, f"tcp://127.0.0.1:{closed_port}", "refused")


def test_tls_without_tls_settings_says_which_settings(closed_port: int) -> None:
    said = cli(
        "sweep", str(BASELINE), "--runs", "10", "--scheduler", f"tls://127.0.0.1:{closed_port}"
    )
    refused(said, f"tls://127.0.0.1:{closed_port}", "DASK_DISTRIBUTED__COMM__TLS__CA_FILE")


def test_a_peer_that_is_not_a_scheduler_fails_within_the_connect_timeout(silent: int) -> None:
    """It used to hang 21 s, then print an ignored exception from Client.__del__."""
    began = time.monotonic()
    said = subprocess.run(
        [*REDLINES, "sweep", str(BASELINE), "--runs", "10",
         "--scheduler", f"tcp://127.0.0.1:{silent}", "--connect-timeout", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    took = time.monotonic() - began
    refused(said, f"tcp://127.0.0.1:{silent}", "no Dask scheduler answered within 1 s")
    assert took < 15, f"{took:.1f} s"  # the interpreter's start, plus the 1 s asked for


def test_the_address_is_checked_before_the_scenario_is_read(tmp_path: Path) -> None:
    said = cli("sweep", str(tmp_path / "absent.yaml"), "--scheduler", "http://127.0.0.1:1")
    refused(said, "http:// is not supported")


def test_an_unreachable_scheduler_claims_no_sweep_directory(
    closed_port: int, tmp_path: Path
) -> None:
    """Else the next, corrected command is refused: the directory holds a different sweep."""
    out = tmp_path / "sweep"
    address = f"tcp://127.0.0.1:{closed_port}"
    refused(cli("sweep", str(BASELINE), "--runs", "10", "--scheduler", address, "--out", str(out)))
    assert not out.exists()


@pytest.fixture
def talker() -> Iterator[int]:
    """A port whose peer speaks first, as an SSH server does: its banner read as a Dask frame
    asks for exabytes (it ended in "out of memory", exit 1)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(30)

    def serve() -> None:
        while True:
            try:
                peer, _ = listener.accept()
            except OSError:
                return
            with peer:
                try:
                    peer.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n" * 64)
                    peer.recv(1024)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    listener.close()


def test_a_peer_that_speaks_another_protocol_is_not_a_scheduler(talker: int) -> None:
    for command in ("sweep", "sensitivity"):
        said = cli(command, str(BASELINE), "--runs", "4", "--scheduler", f"tcp://127.0.0.1:{talker}",
                   "--connect-timeout", "2")  # fmt: skip
        refused(said, f"tcp://127.0.0.1:{talker}", "Dask scheduler")
        assert "out of memory" not in said.stderr


def test_a_bad_connect_timeout_is_a_usage_error() -> None:
    for value in ("0", "-1", "inf", "1e300", "nan"):
        said = cli("sweep", str(BASELINE), "--scheduler", "tcp://127.0.0.1:1",
                   "--connect-timeout", value)  # fmt: skip
        assert said.exit_code == 2 and "--connect-timeout" in said.stderr, (value, said.output)
    for value in (0.0, -1.0, float("inf"), float("nan")):
        with pytest.raises(BadAddress, match="--connect-timeout"):
            parse_scheduler("tcp://10.0.0.5:8786", value)


def foreign_address() -> str:
    """A documentation address (RFC 5737) that is not one of this machine's."""
    mine = {a.address for addresses in psutil.net_if_addrs().values() for a in addresses}
    return next(a for a in ("203.0.113.77", "198.51.100.77", "192.0.2.77") if a not in mine)


@pytest.mark.parametrize(
    ("host", "why"),
    [("no such host", "--host 'no such host': no such host"), (foreign_address(), "--host")],
)
def test_a_dashboard_host_that_cannot_be_served_is_refused(host: str, why: str) -> None:
    """A name that does not resolve, an address that is not this machine's."""
    said = subprocess.run(
        [*REDLINES, "dashboard", "--host", host, "--port", "8599"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    refused(said, why)


def test_a_dashboard_port_in_use_is_refused(silent: int) -> None:
    said = subprocess.run(
        [*REDLINES, "dashboard", "--port", str(silent)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    refused(said, "--port", f"127.0.0.1:{silent}", "in use")


def test_a_name_service_that_hangs_is_bounded_by_the_connect_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """getaddrinfo takes no timeout: a resolver that never answers used to hold the command."""
    released = threading.Event()

    def hanging(*args: object, **kwargs: object) -> object:
        released.wait(60)
        raise socket.gaierror(socket.EAI_AGAIN, "released")

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    began = time.monotonic()
    try:
        said = cli("sweep", str(BASELINE), "--runs", "4", "--scheduler",
                   "tcp://scheduler.example:8786", "--connect-timeout", "0.5")  # fmt: skip
    finally:
        released.set()
    refused(said, "tcp://scheduler.example:8786", "name service did not answer within 0.5 s")
    assert time.monotonic() - began < 30
