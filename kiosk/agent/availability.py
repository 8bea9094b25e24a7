"""Availability: how many seconds of the last 24 h the UI was ``serving``.

The agent samples the UI's state (from its heartbeat) every few seconds and keeps runs
``[start, end, serving]`` in the store's ``kv`` (a few hundred bytes, not one row a sample),
so the figure survives a restart of the agent. A gap between two samples longer than
``max_gap_s`` (the agent was not running, the machine was off) counts as not serving: the
figure never claims service nobody saw, and the time between the last ``serving`` sample and
the first sample of another state is not counted either.
"""

from __future__ import annotations

from kiosk.agent.outbox_port import KeyValues

KV_KEY = "availability.runs"
WINDOW_S = 86400


class Availability:
    def __init__(self, kv: KeyValues, max_gap_s: float) -> None:
        self.kv = kv
        self.max_gap_s = max_gap_s

    def _runs(self) -> list[list[float]]:
        runs = self.kv.get(KV_KEY) or []
        return [r for r in runs if isinstance(r, list) and len(r) == 3]

    def sample(self, now: float, serving: bool) -> None:
        runs = self._runs()
        flag = 1.0 if serving else 0.0
        last = runs[-1] if runs else None
        if last is None or not 0 <= now - last[1] <= self.max_gap_s:
            runs.append([now, now, flag])  # the first sample, or after a gap nobody saw
        elif last[2] == flag:
            last[1] = now
        elif flag:  # back to serving: the time between the two samples counts as not serving
            last[1] = now
            runs.append([now, now, flag])
        else:  # serving stopped somewhere since the last sample: do not claim that time
            runs.append([last[1], now, flag])
        runs = [r for r in runs if r[1] >= now - WINDOW_S]
        self.kv.set(KV_KEY, runs)

    def serving_s(self, now: float) -> int:
        start = now - WINDOW_S
        total = 0.0
        for begin, end, flag in self._runs():
            if flag:
                total += max(0.0, min(end, now) - max(begin, start))
        return int(min(total, WINDOW_S))
