"""The agent (``kiosk-agent``): a process apart from the UI that delivers the outbox to the
county backend and reports the machine's health in beacons, and keeps doing so when the UI
has died. ``runner.Agent`` ties the parts together; ``kiosk/agent_main.py`` is the command.
"""
