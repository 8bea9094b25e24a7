"""The printed readiness report, rendered to ESC/POS for both papers and read back as the
printer would print it: identity card first, the verdict, every check with √/× in Chinese,
the time; words for every finding the checks can give."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from drivers.printer import PAPER_58, PAPER_80, read_back, render
from kiosk.readiness import Check, Report
from kiosk.readiness_paper import FINDINGS, LABELS, describe_zh, readiness_report
from tests.kiosk.catalog.samples import IDENTITY

PAPERS = pytest.mark.parametrize("paper", [PAPER_80, PAPER_58], ids=["80mm", "58mm"])
AT = datetime(2026, 11, 22, 9, 30, 5, tzinfo=timezone(timedelta(hours=8)))
READINESS = Path(__file__).resolve().parents[2] / "kiosk" / "readiness"


def flat(text: str) -> str:
    return "".join(text.split())


def report(*failing: Check) -> Report:
    checks = [
        Check("config", True, "valid", {"code": "valid"}),
        Check("device.idcard", True, "present", {"code": "present", "port": "/dev/kiosk/idcard", "health": "online"}),
        Check("device.printer", True, "emulated", {"code": "emulated", "port": None, "health": None}),
        Check("backend", True, "answered", {"code": "reachable", "latency_ms": 42}),
        Check("clock", True, "synced", {"code": "synced", "skew_s": 0.3}),
        Check("disk", True, "free", {"code": "ok", "free_bytes": 12 << 30, "min_free_bytes": 1 << 30}),
        Check("beacon", True, "recent", {"code": "recent", "at": "2026-11-22T09:29:00+08:00", "seq": 7}),
        *failing,
    ]
    return Report(identity=IDENTITY, taken_at=AT, checks=tuple(checks))


@PAPERS
def test_identity_card_first_then_verdict_checks_and_time(paper):
    printout = read_back(render(readiness_report(report()), paper))
    text = flat(printout.text)
    assert text.startswith("设备就绪报告")
    order = [text.index(s) for s in ("设备身份证", "设备编号：ZZ-EQ-0001", "维护单位：二七区政务服务中心",
                                      "结论：就绪，可以对外服务", "√配置文件：有效", "检查时间：2026-11-2209:30:05")]
    assert order == sorted(order)
    for line in ("√身份证阅读器：已连接（/dev/kiosk/idcard），工作正常", "√打印机：模拟设备",
                 "√后台连接：连接正常（42毫秒）", "√系统时钟：已与时间服务器同步", "√磁盘空间：剩余12.0GB",
                 "√健康信标：最近一次11-2209:29"):
        assert line in text, line
    assert printout.cuts == 1 and "×" not in text and "维护手册" not in text
    assert "相差" not in text, "a skew under 2 s is the Date header's resolution"


@PAPERS
def test_a_failed_check_is_crossed_and_counted(paper):
    failing = (Check("device.scanner", False, "/dev/kiosk/scanner missing",
                     {"code": "missing", "port": "/dev/kiosk/scanner"}),
               Check("clock", False, "+45 s off", {"code": "skewed", "skew_s": 45.2}),
               Check("outbox", False, "1 dead", {"code": "dead_letters", "pending": 2, "dead": 1}))
    text = flat(read_back(render(readiness_report(report(*failing)), paper)).text)
    assert "结论：未就绪，3项未通过" in text
    for line in ("×扫码器：未找到（/dev/kiosk/scanner）", "×系统时钟：与后台相差+45秒",
                 "×待上传队列：待上传2件，上传失败1件，请在维护菜单处理", "维护手册"):
        assert line in text, line
    assert "missing" not in text and "dead" not in text, "the operator's English stays off the paper"


def test_every_finding_the_checks_can_give_has_chinese_words():
    source = "\n".join(p.read_text(encoding="utf-8") for p in READINESS.glob("*.py"))
    codes = set(re.findall(r'"code": "(\w+)"', source)) | set(re.findall(r'return (?:True|False), "(\w+)"', source))
    codes |= set(re.findall(r'code, detail, ok = \("(\w+)"', source)) | {"uses_camera", "serving", "maintenance"}
    worded = {code for _, code in FINDINGS}
    assert codes - worded == set()
    for (kind, code), key in FINDINGS.items():
        name = "device.printer" if kind == "device" else kind
        figures = {"code": code, "skew_s": 3.0, "free_bytes": 1 << 30, "min_free_bytes": 1 << 30, "port": "/dev/x",
                   "at": AT.isoformat(), "health": "online", "latency_ms": 5, "version": "1"}
        label, words = describe_zh(Check(name, True, "", figures))
        assert label == describe_zh(Check(name, True, "", {}))[0] and "{" not in words and words, key
    assert set(LABELS) >= {"device.idcard", "device.printer", "device.scanner", "device.camera", "enrollment"}
