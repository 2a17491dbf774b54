"""Command-line layer: the ``forecast`` and ``forecast-sensitivity`` commands and the
Hydra callback that gathers a multirun."""
