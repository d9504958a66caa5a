"""Pseudonyms for the personal and secret values of a capture, so it can be shared.

Pure: lines of text in, lines out. One Redactor serves one file, so the same input value always
becomes the same pseudonym there (correlation across frames still works) while nothing of the
value is left. A pseudonym is a string of the same JSON type as what it replaces and never
shorter (it is padded with "x" to the original's length), so a value within a schema's
maxLength stays within it and one over it stays over it: a redacted capture validates the same.

Redacted, by the key holding the value (any action, any version):

- idTag, parentIdTag (1.6) -> idTag-N; idToken strings, additionalIdToken (2.x) -> idToken-N
- the value of a configuration key or device-model variable named AuthorizationKey or
  BasicAuthPassword (ChangeConfiguration, GetConfiguration results, SetVariables, GetVariables
  results), and password-like keys -> password-N
- certificate, certificateChain, csr, and any PEM block in any string -> certificate-N
- chargePointSerialNumber, chargeBoxSerialNumber, serialNumber -> serial-N
- IPv4 and IPv6 addresses in any string (a connect event's `remote` too) -> 192.0.2.N-style
  documentation addresses (RFC 5737 / RFC 3849), the port kept

A frame that is not JSON, or a line that is neither a record nor a frame (a log line), is
scrubbed as text: PEM blocks, addresses, `"key": "value"` pairs of the keys above, and values
already redacted earlier in the file.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from ocppctl.core import jsontext

ID_TAG_KEYS = frozenset({"idTag", "parentIdTag"})
ID_TOKEN_KEYS = frozenset({"idToken", "additionalIdToken"})
SERIAL_KEYS = frozenset({"chargePointSerialNumber", "chargeBoxSerialNumber", "serialNumber"})
CERT_KEYS = frozenset({"certificate", "certificateChain", "csr"})
PASSWORD_KEYS = frozenset({"password", "basicAuthPassword", "apnPassword", "authorizationKey"})
SECRET_SETTINGS = frozenset({"AuthorizationKey", "BasicAuthPassword"})  # 1.6 keys, 2.x variables

_KINDS: dict[str, str] = {
    **{key: "idTag" for key in ID_TAG_KEYS},
    **{key: "idToken" for key in ID_TOKEN_KEYS},
    **{key: "serial" for key in SERIAL_KEYS},
    **{key: "certificate" for key in CERT_KEYS},
    **{key: "password" for key in PASSWORD_KEYS},
}

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \1-----", re.DOTALL)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_PAIR = re.compile(r'"(' + "|".join(sorted(_KINDS)) + r')"(\s*:\s*)"((?:[^"\\]|\\.)*)"')
_COMPACT = (",", ":")


class Redactor:
    """The pseudonym tables of one file: feed it every line of that file, in order."""

    def __init__(self) -> None:
        self._tables: dict[str, dict[str, str]] = {}

    def pseudonym(self, kind: str, value: str) -> str:
        """The pseudonym of `value` as a `kind` (idTag, idToken, password, serial, certificate)."""
        table = self._tables.setdefault(kind, {})
        found = table.get(value)
        if found is None:
            found = table[value] = f"{kind}-{len(table) + 1}"
        return found.ljust(len(value), "x")

    def counts(self) -> dict[str, int]:
        """How many distinct values of each kind were replaced (for a summary)."""
        return {kind: len(table) for kind, table in self._tables.items() if table}

    # lines -------------------------------------------------------------------------------

    def line(self, text: str) -> str:
        """One line of a capture, redacted; its line end kept. A line with nothing to redact
        comes back unchanged, byte for byte."""
        body = text.rstrip("\r\n")
        end = text[len(body) :]
        stripped = body.strip()
        if not stripped:
            return text
        try:
            value = json.loads(stripped)  # a record keeps its own spacing (the columns of its findings)
        except ValueError:
            return self.text(body) + end
        if isinstance(value, dict):
            changed = self.record(value)
            return (json.dumps(changed, ensure_ascii=False) if changed is not value else body) + end
        if isinstance(value, list):
            redacted = self.value(value)
            return (_compact(redacted) if redacted != value else body) + end
        return text

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        """A capture record with its frame (`raw` or `frame`) and `remote` redacted, every other
        key kept in its place; the same object when there was nothing to redact."""
        out = dict(record)
        raw = record.get("raw")
        if isinstance(raw, str):
            out["raw"] = self.raw(raw)
        if "frame" in record:
            out["frame"] = self.value(record["frame"])
        remote = record.get("remote")
        if isinstance(remote, str):
            out["remote"] = self.addresses(remote)
        return record if out == record else out

    def raw(self, raw: str) -> str:
        """A frame's wire text: re-encoded compact from the redacted frame when it is JSON and
        something was redacted, unchanged when nothing was, scrubbed as text when not JSON."""
        try:
            frame = jsontext.loads(raw)
        except jsontext.JsonSyntaxError:
            return self.text(raw)
        redacted = self.value(frame)
        return _compact(redacted) if redacted != frame else raw

    # values ------------------------------------------------------------------------------

    def value(self, value: Any, key: str | None = None) -> Any:
        """A JSON value with every secret in it replaced; `key` is the key holding it."""
        if isinstance(value, str):
            kind = _KINDS.get(key or "")
            if kind == "certificate":
                return self.certificate(value)
            if kind is not None:
                return self.pseudonym(kind, value)
            return self.text(value, prose=False)
        if isinstance(value, list):
            return [self.value(item, key if key in CERT_KEYS else None) for item in value]
        if isinstance(value, dict):
            out = {name: self.value(item, name) for name, item in value.items()}
            if _names_secret(value):
                field = "value" if "value" in value else "attributeValue"
                if isinstance(value.get(field), str):
                    out[field] = self.pseudonym("password", value[field])
            return out
        return value

    def certificate(self, text: str) -> str:
        """A certificate field: each PEM block in it replaced, or the whole when it has none."""
        if _PEM.search(text):
            return _PEM.sub(self._pem_block, text)
        return self.pseudonym("certificate", text)

    def text(self, text: str, prose: bool = True) -> str:
        """Free text: PEM blocks, IP addresses and `"key": "value"` pairs of secret keys; in
        `prose` (a log line, a frame that is not JSON) also the values redacted before. Not in
        a frame's strings: a date-time or an enum holding a short idTag would change meaning."""
        text = _PEM.sub(self._pem_block, text)
        text = _PAIR.sub(self._pair, text)
        if not prose:
            return self.addresses(text)
        for kind in ("idTag", "idToken", "password", "serial"):  # values already seen, in prose
            for value in self._tables.get(kind, {}):
                if len(value) >= 4 and value in text:
                    text = text.replace(value, self.pseudonym(kind, value))
        return self.addresses(text)

    def addresses(self, text: str) -> str:
        """Every IPv4 and IPv6 address in `text` replaced by a documentation address."""
        text = _IPV4.sub(lambda m: self._address(m.group(0)), text)
        if ":" in text:
            text = _IPV6.sub(lambda m: self._address(m.group(0)), text)
        return text

    def _address(self, text: str) -> str:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return text
        table = self._tables.setdefault(f"ipv{address.version}", {})
        found = table.get(text)
        if found is None:
            n = len(table) + 1
            if address.version == 4:
                found = f"192.0.2.{n}" if n < 255 else str(ipaddress.IPv4Address(0x0A000000 + n))
            else:
                found = str(ipaddress.IPv6Address(0x20010DB8 << 96 | n))
            table[text] = found
        return found

    def _pem_block(self, match: re.Match[str]) -> str:
        label = match.group(1)
        head, tail = f"-----BEGIN {label}-----", f"-----END {label}-----"
        body = match.group(0)[len(head) : -len(tail)]
        newline = "\\n" if "\\n" in body else "\n"  # JSON-escaped in a frame's text, else real
        inner = body.replace("\\n", "\n").strip()
        return head + newline + self.pseudonym("certificate", inner) + newline + tail

    def _pair(self, match: re.Match[str]) -> str:
        key, sep, value = match.groups()
        kind = _KINDS[key]
        new = self.certificate(value) if kind == "certificate" else self.pseudonym(kind, value)
        return f'"{key}"{sep}"{new}"'


def _names_secret(item: dict[str, Any]) -> bool:
    """A 1.6 {key, value} or a 2.x {variable: {name}, attributeValue} of a secret setting."""
    key = item.get("key")
    if isinstance(key, str) and key in SECRET_SETTINGS:
        return True
    variable = item.get("variable")
    name = variable.get("name") if isinstance(variable, dict) else None
    return isinstance(name, str) and name in SECRET_SETTINGS


def _compact(value: Any) -> str:
    """Compact JSON as the wire carries it, written by the exact writer (core/jsontext), so any
    number or string the parser read comes back as it was."""
    return jsontext.dumps(value)
