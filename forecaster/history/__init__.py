"""History → calibration moments: COW, ATOP and Berkemeier & Fuhrmann (2018) in, moments out.

A self-contained layer (it imports no other forecaster module). The derived
numbers ship in ``conf/moments/history.yaml``; see ``docs/history.md``.
"""

from forecaster.history.data import HistoryDataError, resolve_data_dir
from forecaster.history.derive import derive_moments, derive_population
from forecaster.history.moments import Moment

__all__ = ["HistoryDataError", "Moment", "derive_moments", "derive_population", "resolve_data_dir"]
