"""Simulation: every device emulated behind the real drivers (``kiosk --simulate``)."""
