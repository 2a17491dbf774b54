"""forecaster: Monte Carlo risk forecasting for alliance politics."""
