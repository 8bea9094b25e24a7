"""Every citizen-facing string, in one table (issue 6 moves them to translation files).

Plain and kind Chinese; never English, a code or a traceback. Look a string up with
:func:`t` (``t("cancel")``, ``t("minutes", n=3)``).
"""

from __future__ import annotations

TEXT: dict[str, str] = {
    # the frame
    "app_title": "政务服务自助一体机",
    "service_24h": "24小时自助服务",
    "cancel": "取消",
    "back_home": "返回首页",
    "elder_mode": "长辈模式",
    "network_ok": "网络正常",
    "network_down": "网络未连接",
    "network_unknown": "网络检测中",
    "devices_ok": "设备正常",
    "devices_some_down": "部分设备故障：{names}",
    # home
    "home_welcome": "欢迎使用24小时自助服务",
    "home_hint": "请点击下方按钮开始，遇到问题请拨打屏幕下方的联系电话。",
    "tile_apply": "办事",
    "tile_apply_sub": "按类别选择事项",
    "tile_guide": "办事指南",
    "tile_guide_sub": "要带什么、怎么办",
    "tile_progress": "进度查询",
    "tile_progress_sub": "扫回执或输编号",
    "tile_certificate": "证明打印",
    "tile_certificate_sub": "社保缴费、权益单等",
    "tile_rating": "好差评",
    "tile_rating_sub": "评价办理过的事项",
    "tile_appointment": "预约代办",
    "tile_appointment_sub": "行动不便可预约上门",
    "frequent": "常办事项",
    "categories": "事项分类",
    "all_items": "全部事项",
    "unavailable": "暂不可办",
    "unavailable_why": "暂不可办：{names}暂时无法使用",
    "promised_days": "承诺{n}个{unit}办结",
    "promised_now": "即办件",
    # guide
    "guide_title": "办事指南",
    "guide_department": "实施部门",
    "guide_basis": "办理依据",
    "guide_conditions": "办理条件",
    "guide_materials": "申请材料",
    "guide_no_materials": "无需提交纸质材料，凭本人身份证件办理。",
    "guide_venues": "受理单位及办理点",
    "guide_process": "基本流程",
    "guide_fees": "收费依据及标准",
    "guide_time_limit": "办理时限",
    "guide_legal": "法定时限：{text}",
    "guide_promised": "承诺时限：{text}",
    "guide_no_legal": "法律法规未作规定",
    "guide_instant": "即办件",
    "guide_instant_done": "即时办结",
    "guide_hours": "工作时间",
    "guide_consult": "咨询方式",
    "guide_supervise": "监督电话",
    "print_notice": "打印一次性告知单",
    "start": "开始办理",
    "printed_ok": "告知单已打印，请从出纸口取走。",
    "printed_failed": "告知单未能打印，您可以拍照保存本页内容，或拨打下方电话咨询。",
    "printer_down": "打印机暂时无法使用，您可以拍照保存本页内容。",
    # busy and not-yet-built steps
    "wait": "请稍候",
    "busy_guide_print": "正在打印一次性告知单，请稍候……",
    "busy_submitting": "正在保存您的申请，请勿离开……",
    "busy_receipt": "正在打印受理回执，请稍候……",
    "busy_certificate": "正在获取并打印证明，请稍候……",
    "busy_progress_lookup": "正在查询办理进度，请稍候……",
    "busy_default": "正在处理，请稍候……",
    "step_not_ready": "本机暂不能办理这一步，请点击“取消”返回首页，或到便民服务中心窗口办理。",
    # idle
    "idle_title": "您还在办理吗？",
    "idle_body": "{n}秒后将自动退出，您填写的信息会被清除。",
    "idle_continue": "继续办理",
    # out of service
    "out_title": "暂停服务",
    "out_maintenance": "设备维护中，暂停服务，请稍后再来。",
    "out_broken": "设备故障，暂停服务。给您带来不便，敬请谅解。",
    "out_call": "如需帮助，请联系：",
    "out_elsewhere": "您也可以到便民服务中心窗口办理，或拨打12345热线。",
    # devices
    "dev_idcard": "身份证阅读器",
    "dev_camera": "摄像头",
    "dev_printer": "打印机",
    "dev_scanner": "扫码器",
    # errors translated at the boundary
    "error_generic": "操作未能完成，请重试；如仍不行，请联系工作人员。",
    # test page (printed for maintenance staff)
    "test_page_title": "打印测试页",
    "test_page_body": "打印机工作正常。",
}

IDENTITY_LABELS = ("设备名称", "类别", "维护单位", "联系电话")


def t(key: str, **values: object) -> str:
    """The string for ``key``, formatted; an unknown key gives the generic error text."""
    text = TEXT.get(key)
    if text is None:
        return TEXT["error_generic"]
    return text.format(**values) if values else text


def device_names(roles: list[str] | set[str]) -> str:
    """``["camera", "printer"]`` → ``摄像头、打印机`` (in a stable order)."""
    return "、".join(t(f"dev_{r}") for r in sorted(roles))
