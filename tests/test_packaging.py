"""setup.cfg lists its packages by hand (schemas/ is mapped in as ocppctl.schemas): every
package of the source tree must be on that list, or a non-editable install would miss it."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_setup_cfg() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = {line.strip() for line in config["options"]["packages"].splitlines() if line.strip()}
    found = {".".join(path.parent.relative_to(ROOT).parts) for path in (ROOT / "ocppctl").rglob("__init__.py")}
    assert found | {"ocppctl.schemas"} == listed
