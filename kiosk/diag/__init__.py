"""``kiosk-diag``: the maintenance and automation command line (see DESIGN.md's contracts)."""
