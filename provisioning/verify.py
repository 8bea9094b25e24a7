"""``kiosk-provision verify``: the readiness report (:mod:`kiosk.readiness`) as text or JSON.

Exit 0 when ready; 1 when not, with a one-line reason on stderr (the report is printed
either way). Run as root on an installed machine, it looks as the kiosk's user does: when
the data folder belongs to another user, it takes that user's ids and groups first, so
"present" also means "the kiosk may open it" and the keys are read as the agent reads them.
"""

from __future__ import annotations

import importlib
import json
import os
import pwd
import sys
from typing import Any

from kiosk.config import ConfigError, load_config
from kiosk.diag.output import one_line

DEFAULT_CONFIG = "/etc/kiosk/kiosk.toml"


#: What :func:`kiosk.readiness.gather` imports on its way, imported before the ids change:
#: the interpreter's own library may be where the kiosk user cannot read (a pyenv under
#: /root on a build machine).
PRELOAD = ("kiosk.readiness.backend", "kiosk.readiness.clock", "kiosk.readiness.local", "kiosk.agent.heartbeat",
           "kiosk.agent.beacon", "kiosk.agent.identity_override", "kiosk.wiring", "kiosk.store",
           "kiosk.catalog.loader", "kiosk.ui.theme", "kiosk.crypto", "kiosk.signing", "sqlite3",
           "sqlalchemy.dialects.sqlite.pysqlite", "requests", "encodings.idna", "shutil", "email.utils")


def become_owner_of(path: Any) -> str | None:
    """As root: take the ids and groups of ``path``'s owner (when not root). Returns the
    user's name when done; None when nothing was done."""
    if os.geteuid() != 0:
        return None
    try:
        uid = os.stat(path).st_uid
    except OSError:
        return None
    if uid == 0:
        return None
    try:
        entry = pwd.getpwuid(uid)
    except KeyError:
        return None
    for name in PRELOAD:
        importlib.import_module(name)
    os.setgroups(os.getgrouplist(entry.pw_name, entry.pw_gid))
    os.setgid(entry.pw_gid)
    os.setuid(uid)
    return entry.pw_name


def verify(config_path: str | None, *, as_json: bool, probe_backend: bool, timeout_s: float) -> int:
    from kiosk.readiness import gather

    path = config_path or DEFAULT_CONFIG
    try:
        config = load_config(path)
    except ConfigError as err:
        print(f"kiosk-provision: not ready: config: {one_line(str(err))}", file=sys.stderr)
        return 1
    user = become_owner_of(config.data_dir)
    report = gather(config, probe_backend=probe_backend, timeout_s=timeout_s)
    if as_json:
        doc = report.to_json()
        doc["checked_as"] = user or pwd.getpwuid(os.geteuid()).pw_name
        print(json.dumps(doc, ensure_ascii=False))
    else:
        print(report.to_text())
        print("READY" if report.ready else "NOT READY")
    if not report.ready:
        print(f"kiosk-provision: {one_line(report.reason())}", file=sys.stderr)
        return 1
    return 0
