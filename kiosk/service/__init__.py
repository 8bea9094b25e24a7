"""The service menu's core (维护菜单), without Kivy: staff PINs (:mod:`.pins`), the lockout
(:mod:`.lockout`), the audit log (:mod:`.audit`), the door (:mod:`.gate`), the actions
(:mod:`.actions`) and ``kiosk-diag service`` (:mod:`.cli`). The screens live in
``kiosk/ui/screens/service_*.py``.

Files: the staff file (``[service] staff_file``, ``/etc/kiosk/staff.json`` by default,
root-owned, group ``kiosk``, mode 0640), and under ``<data_dir>/service/``: ``audit.jsonl``
(append-only) and ``lockout.json``.
"""
