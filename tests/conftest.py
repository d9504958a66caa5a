"""Shared fixtures: one schema registry per test session, and a way to run a stream check.

The registry compiles each validator on first use, so sharing it keeps the suite fast.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from ocppctl.core.findings import Finding
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.stream import CheckOptions, StreamChecker
from ocppctl.core.summary import Report, Summary
from ocppctl.core.versions import get_version
from ocppctl.io.schemafiles import file_loader

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"

CheckLines = Callable[..., list[Finding]]


@pytest.fixture(scope="session")
def schemas_root() -> Path:
    """The repository's schemas/ folder (v16/, v201/, v21/, SHA256SUMS)."""
    return SCHEMAS


@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    """A registry over the repository's schema files, as `ocppctl validate` builds it."""
    return SchemaRegistry(file_loader(SCHEMAS))


def run_checker(
    registry: SchemaRegistry,
    lines: Iterable[str],
    ocpp: str | None = None,
    file: str = "capture.jsonl",
    pattern: str | None = None,
    summary: Summary | None = None,
) -> list[Finding]:
    """Feed `lines` (numbered from 1) to a StreamChecker, finish it, return every finding in order."""
    version = None
    if ocpp is not None:
        version = get_version(ocpp)
        assert version is not None, ocpp
    found: list[Finding] = []
    report = Report(summary if summary is not None else Summary(), found.append)
    options = CheckOptions(version, re.compile(pattern) if pattern is not None else None)
    checker = StreamChecker(registry, report, file, options)
    for lineno, line in enumerate(lines, start=1):
        checker.feed_line(line, lineno)
    checker.finish()
    return found


@pytest.fixture(scope="session")
def check_lines(registry: SchemaRegistry) -> CheckLines:
    """`check_lines(lines, ocpp=None, file=..., pattern=None, summary=None)` -> findings."""

    def check(lines: Iterable[str], **kwargs: object) -> list[Finding]:
        return run_checker(registry, lines, **kwargs)  # type: ignore[arg-type]

    return check


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Certificates made with trustme for security profiles 2-3: `ca` signed `server`
    (127.0.0.1), `clients` signed `client` (CP1), `other` signed `stranger` (CP1); and two
    password files, `password` (s3cret) and `wrong` (guess)."""
    import trustme

    folder = tmp_path_factory.mktemp("pki")
    ca, other, clients = trustme.CA(), trustme.CA(), trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = clients.issue_cert("CP1", common_name="CP1")
    stranger = other.issue_cert("CP1")
    paths = {
        "ca": folder / "ca.pem",
        "other": folder / "other.pem",
        "clients": folder / "clients.pem",
        "server": folder / "server.pem",
        "client": folder / "client.pem",
        "stranger": folder / "stranger.pem",
        "password": folder / "password",
        "wrong": folder / "wrong",
    }
    ca.cert_pem.write_to_path(str(paths["ca"]))
    other.cert_pem.write_to_path(str(paths["other"]))
    clients.cert_pem.write_to_path(str(paths["clients"]))
    server.private_key_and_cert_chain_pem.write_to_path(str(paths["server"]))
    client.private_key_and_cert_chain_pem.write_to_path(str(paths["client"]))
    stranger.private_key_and_cert_chain_pem.write_to_path(str(paths["stranger"]))
    paths["password"].write_text("s3cret\n", encoding="utf-8")
    paths["wrong"].write_text("guess\n", encoding="utf-8")
    return paths
