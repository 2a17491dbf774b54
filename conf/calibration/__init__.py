"""Calibration targets (moments) and calibrated parameter sets."""
