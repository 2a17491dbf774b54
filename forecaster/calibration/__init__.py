"""Calibration: simulated moments of the historical world and their fit to history (SMM)."""
