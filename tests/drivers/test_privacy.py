"""One masking rule everywhere: tables of what a screen, a receipt or a log may show."""

import pytest

from drivers.privacy import mask_address, mask_code, mask_name, mask_number, mask_phone


@pytest.mark.parametrize("fn, value, shown", [
    (mask_name, "张小三", "张*三"), (mask_name, "张三", "张*"), (mask_name, "王", "*"),
    (mask_number, "110105194912310021", "110105********0021"), (mask_number, "12345", "*****"),
    (mask_phone, "13800138000", "138****8000"), (mask_phone, "0371-68665010", "*********5010"),
    (mask_address, "河南省郑州市二七区大学路12号", "河南省郑州市二七区****"), (mask_address, "", ""),
    (mask_code, "110105194912310021", "1101…(18 chars)"),
])
def test_masks(fn, value, shown):
    assert fn(value) == shown
    if fn in (mask_name, mask_number):
        assert fn(shown) == shown  # masking what is masked changes nothing (progress answers)
