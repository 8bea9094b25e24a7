"""One line out of a pydantic ``ValidationError``, naming the key that is wrong.

The config, the catalog, provisioning and remote ``set_identity`` all validate with
pydantic, and all must tell a person what is wrong in one line (a maintenance terminal, a
log line, the service menu), never a 20-line dump. The line names the key as the person
wrote it, e.g. ``kiosk.toml: devices.printer.baudrate: Input should be 9600, …``:

* parts pydantic adds for its own validators (``function-after[...]``, ``union[...]``) are
  left out;
* pydantic's ``Value error,`` before a validator's own message is left out;
* the tag of a discriminated union (``devices.printer.serial.baudrate``, where ``serial``
  is the printer's ``type``) is left out. Pass the validated input as ``data`` to do it
  exactly; without it, a part that is none of the input's keys cannot be told from one, so
  only the first rule applies.

Input values are never quoted (pydantic's own message says what was expected), so a line
is safe to log even when the input held personal data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

MAX_CHARS = 300
_NO_DATA = object()


def key_path(loc: Sequence[Any], data: Any = _NO_DATA) -> list[str | int]:
    """The key path of an error location as the input spells it (see the module doc)."""
    parts: list[str | int] = []
    current = data
    loc = list(loc)
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(part, str) and "[" in part:
            continue  # a validator's own name, not a key
        if current is _NO_DATA:
            parts.append(part)
            continue
        if isinstance(current, Mapping):
            is_tag = not last and any(isinstance(v, str) and v == part for v in current.values())
            if is_tag and part in current:  # both: a tag if the next part is not inside the key's value
                is_tag = not _holds(current[part], loc[index + 1])
            if is_tag:
                continue  # a union tag: the value of the discriminator key, not a key
            if part in current:
                parts.append(part)
                current = current[part]
            else:
                parts.append(part)  # a missing or unknown key: it is what the line names
                current = _NO_DATA
        elif isinstance(current, Sequence) and not isinstance(current, (str, bytes)) and isinstance(part, int):
            parts.append(part)
            current = current[part] if 0 <= part < len(current) else _NO_DATA
        else:
            parts.append(part)
            current = _NO_DATA
    return parts


def _holds(value: Any, part: Any) -> bool:
    if isinstance(value, Mapping):
        return part in value
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return isinstance(part, int) and 0 <= part < len(value)
    return False


def first_error(err: ValidationError, source: str = "", *, data: Any = _NO_DATA) -> str:
    """``"{source}: {key.path}: {message} (and N more)"`` in one line (no source: no prefix)."""
    errors = err.errors(include_url=False, include_input=False, include_context=False)
    if not errors:
        line = "invalid"
    else:
        first = errors[0]
        where = ".".join(str(part) for part in key_path(first.get("loc", ()), data)) or "(top)"
        extra = len(errors) - 1
        more = f" (and {extra} more)" if extra else ""
        message = str(first.get("msg") or "invalid").removeprefix("Value error, ")
        line = f"{where}: {message}{more}"
    if source:
        line = f"{source}: {line}"
    line = " ".join(line.split())
    return line if len(line) <= MAX_CHARS else line[:MAX_CHARS - 1] + "…"
