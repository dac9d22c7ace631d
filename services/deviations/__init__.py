"""The deviations service (avvikelserapportering, BUS): report, local handling, sending to the
BUS secretariat de-identified (R19–R22)."""
