"""Terms as data: the term labels of a dataset and the term that contains a date."""

from __future__ import annotations

import pandas as pd

from forecast.data.frames import default_window
from forecast.errors import ConfigError


def term_labels(dataset) -> list[str]:
    """Every term label of the targets and the terms table, in time order."""
    labels = set(dataset.targets["term"]) | set(dataset.terms["term"])
    return sorted(t for t in labels if t)


def term_containing(dataset, when: pd.Timestamp) -> str | None:
    """The term whose default window contains ``when``.

    Terms overlap by the default rule (2020-2025 runs to 30 September 2025,
    2025-2030 from 1 January 2025): the one whose deadline comes first, the
    term still being counted, wins. None when no term contains the date.
    """
    inside = []
    for label in term_labels(dataset):
        start, end = default_window(label, dataset.assumptions)
        if start <= when <= end:
            inside.append((end, label))
    return min(inside)[1] if inside else None


def check_term(dataset, given: str, option: str = "--term") -> str:
    """``given`` as a term label of the data (an en dash read as '-'); else ConfigError."""
    labels = term_labels(dataset)
    label = str(given).strip().replace("–", "-")
    if label not in labels:
        raise ConfigError(f"option {option}: found {given!r}; expected one of the terms of the "
                          f"data: {', '.join(labels)}. Fix: write the term as 2020-2025.")
    return label
