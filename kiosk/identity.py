"""The machine's identity card (设备身份证), shared by the config, the wire and the screens.

Shown on the idle screen, printed at the foot of every receipt, sent in every beacon: a
citizen facing a broken machine must know whom to call.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DEVICE_ID_PATTERN = r"^[A-Z0-9-]{3,32}$"

#: The printed and displayed labels, in order.
LABELS = {
    "name": "设备名称",
    "category": "类别",
    "maintainer": "维护单位",
    "phone": "联系电话",
    "location": "安放位置",
}


class Identity(BaseModel):
    """设备身份证 (county-api.md, "Device identity")."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    device_id: str = Field(pattern=DEVICE_ID_PATTERN, description="fleet-unique id, e.g. ZZ-EQ-0001")
    name: str = Field("政务服务自助一体机", min_length=1, max_length=40, description="设备名称")
    category: str = Field("24小时自助服务终端", min_length=1, max_length=40, description="类别")
    maintainer: str = Field(min_length=1, max_length=60, description="维护单位")
    phone: str = Field(pattern=r"^[0-9+()\- ]{3,24}$", description="联系电话")
    location: str = Field("", max_length=80, description="安放位置")
    model: str = Field("", max_length=40, description="hardware model")
    serial: str = Field("", max_length=64, description="hardware serial number")

    def card_lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the screen footer and the receipt's foot."""
        return [(label, getattr(self, key)) for key, label in LABELS.items() if getattr(self, key)]
