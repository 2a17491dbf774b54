"""Hypothesis strategies for forecaster's tests."""

from __future__ import annotations

from hypothesis import strategies as st


@st.composite
def block_splits(draw, max_trajectories: int = 40) -> tuple[int, list[int]]:
    """A number of trajectories and the sorted cut points of a split into blocks."""
    n = draw(st.integers(min_value=1, max_value=max_trajectories))
    cuts = draw(
        st.lists(st.integers(min_value=1, max_value=max(1, n - 1)), max_size=6, unique=True)
    )
    return n, sorted(c for c in cuts if 0 < c < n)


distribution_specs = st.one_of(
    st.builds(
        lambda lo, w: {"dist": "uniform", "low": lo, "high": lo + w},
        st.floats(-5, 5),
        st.floats(0.01, 5),
    ),
    st.builds(
        lambda m, s: {"dist": "normal", "mean": m, "sd": s}, st.floats(-5, 5), st.floats(0.01, 3)
    ),
    st.builds(
        lambda m, s: {"dist": "lognormal", "median": m, "sigma": s},
        st.floats(0.01, 10),
        st.floats(0.01, 2),
    ),
    st.builds(
        lambda a, b: {"dist": "beta", "a": a, "b": b}, st.floats(0.2, 20), st.floats(0.2, 20)
    ),
    st.builds(
        lambda k, s: {"dist": "gamma", "shape": k, "scale": s},
        st.floats(0.2, 20),
        st.floats(0.01, 5),
    ),
)
