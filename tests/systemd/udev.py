"""A small udev rules reader for the tests: each key with its operator checked against what
udev(7) allows, and a matcher that runs the rules over a fake device (its node's properties
and the chain of parents with their attributes), the way udevd does for the keys we use.

Not udevd: enough to prove that a rule line is well formed and that a device with given ids
gets the name, group and mode we mean, without the `udev` package on the test machine."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

MATCH_OPS = ("==", "!=")
ASSIGN_OPS = ("=", "+=", "-=", ":=")
#: key -> may it carry an {attribute}, may it be matched, may it be assigned (udev(7))
KEYS = {
    "ACTION": (False, True, False), "DEVPATH": (False, True, False), "KERNEL": (False, True, False),
    "SUBSYSTEM": (False, True, False), "DRIVER": (False, True, False), "KERNELS": (False, True, False),
    "SUBSYSTEMS": (False, True, False), "DRIVERS": (False, True, False), "ATTR": (True, True, True),
    "ATTRS": (True, True, False), "ENV": (True, True, True), "TAG": (False, True, True),
    "SYMLINK": (False, True, True), "NAME": (False, True, True), "OWNER": (False, False, True),
    "GROUP": (False, False, True), "MODE": (False, False, True), "RUN": (True, False, True),
    "LABEL": (False, False, True), "GOTO": (False, False, True), "OPTIONS": (False, False, True),
}
_TOKEN = re.compile(r'\s*([A-Z_]+)(?:\{([^}]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)')


class RuleSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Token:
    key: str
    attr: str | None
    op: str
    value: str

    @property
    def is_match(self) -> bool:
        return self.op in MATCH_OPS


def parse_line(line: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(line):
        found = _TOKEN.match(line, pos)
        if not found:
            raise RuleSyntaxError(f"cannot read from {line[pos:]!r}")
        key, attr, op, value, comma = found.groups()
        if key not in KEYS:
            raise RuleSyntaxError(f"unknown key {key}")
        has_attr, matchable, assignable = KEYS[key]
        if (attr is not None) != has_attr and not (key == "RUN" and attr is None):
            raise RuleSyntaxError(f"{key} {'needs' if has_attr else 'takes no'} {{attribute}}")
        if op in MATCH_OPS and not matchable or op in ASSIGN_OPS and not assignable:
            raise RuleSyntaxError(f"{key} does not take {op}")
        tokens.append(Token(key, attr, op, value))
        pos = found.end()
        if not comma and pos < len(line):
            raise RuleSyntaxError(f"no comma before {line[pos:]!r}")
    return tokens


def parse_rules(text: str) -> list[list[Token]]:
    rules = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            rules.append(parse_line(line))
        except RuleSyntaxError as err:
            raise RuleSyntaxError(f"line {number}: {err}") from None
    return rules


@dataclass
class Parent:
    """A device up the chain: its kernel name, subsystem and sysfs attributes."""

    kernel: str
    subsystem: str
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Device:
    """The device an event is about, and its parents nearest first."""

    kernel: str
    subsystem: str
    parents: list[Parent]
    action: str = "add"
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    symlinks: list[str] = field(default_factory=list)
    group: str | None = None
    mode: str | None = None
    env: dict[str, str] = field(default_factory=dict)


def _glob(pattern: str, value: str | None) -> bool:
    return value is not None and any(fnmatch.fnmatchcase(value, p) for p in pattern.split("|"))


def _parent_matches(parent: Parent, tokens: list[Token]) -> bool:
    for t in tokens:
        value = {"KERNELS": parent.kernel, "SUBSYSTEMS": parent.subsystem}.get(t.key)
        if t.key == "ATTRS":
            value = parent.attrs.get(t.attr or "")
        if _glob(t.value, value) != (t.op == "=="):
            return False
    return True


def _matches(device: Device, env: dict[str, str], tokens: list[Token]) -> bool:
    up = [t for t in tokens if t.is_match and t.key in ("KERNELS", "SUBSYSTEMS", "ATTRS", "DRIVERS")]
    for t in tokens:
        if not t.is_match or t in up:
            continue
        value = {"ACTION": device.action, "KERNEL": device.kernel, "SUBSYSTEM": device.subsystem}.get(t.key)
        if t.key == "ENV":
            value = env.get(t.attr or "")
        if _glob(t.value, value) != (t.op == "=="):
            return False
    # all the parent keys of one rule must match one and the same device up the chain
    return not up or any(_parent_matches(parent, up) for parent in device.parents)


def apply(rules: list[list[Token]], device: Device) -> Outcome:
    """Run the rules in order over ``device`` (GOTO/LABEL honoured)."""
    out = Outcome(env=dict(device.env))
    labels = {r[0].value: i for i, r in enumerate(rules) if r[0].key == "LABEL"}
    i = 0
    while i < len(rules):
        tokens = rules[i]
        i += 1
        if tokens[0].key == "LABEL" or not _matches(device, out.env, tokens):
            continue
        for t in (t for t in tokens if not t.is_match):
            if t.key == "GOTO":
                i = labels[t.value]
            elif t.key == "SYMLINK":
                out.symlinks += t.value.split() if t.op == "+=" else []
            elif t.key in ("GROUP", "MODE"):
                setattr(out, t.key.lower(), t.value)
            elif t.key == "ENV":
                out.env[t.attr or ""] = t.value
    return out
