"""Assumptions: every modelling choice that is not data, in one typed object.

The object is passed down from the command line or notebook to every stage
and printed in the brief. ``docs/assumptions.md`` lists each field with its
id, evidence and quality rating; a test checks that the two agree.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from forecast.errors import ConfigError


@dataclass(frozen=True)
class Assumptions:
    """Modelling assumptions with their defaults.

    Attributes
    ----------
    term_start : str
        ``MM-DD`` of the term's first year from which admissions count towards
        the term target (A1). Reports count the congress year whole
        ("since 2020" = 2020 + 2021 + 2022 for Tiền Giang).
    term_end : str
        ``MM-DD`` of the term's last year: the term target's deadline (A2).
        Congresses of the next term are held around September-October.
    pace_on_track : float
        Ratio of observed to required pace at or above which a unit is
        "on track" (A3).
    pace_limited : float
        Ratio below which progress is "limited"; between the two,
        "acceleration needed" (A3).
    within_year_profile : tuple of float or None
        Cumulative share of a year's admissions reached by the end of each
        month, 12 values ending in 1.0 (A4). ``None``: estimated from the data.
    conversion_introduced : float
        Share of introduced candidates who are admitted (A5).
    conversion_trained : float
        Share of awareness-class attendees who are admitted (A5).
    p_level : float
        Probability that "what it would take" aims for (A6).
    n_paths : int
        Monte Carlo paths per unit and target (A7).
    seed : int
        Random seed; the same seed gives the same numbers (A7).
    rate_target_members : str
        Which membership figure a rate target (% of members) is applied to:
        ``latest`` before the year, the only one implemented (A8).
    push_band : float
        The final push (A9, :mod:`forecast.models.push`): a simulated final
        total within this share below the target may be raised to it.
    push_share : float or None
        Probability that a total in the band is raised; ``0`` (default) turns
        the push off, ``None`` estimates it from the final results in the
        data (A9; off by default: the real-data backtest did not favour it).
    """

    term_start: str = "01-01"
    term_end: str = "09-30"
    pace_on_track: float = 0.95
    pace_limited: float = 0.6
    within_year_profile: tuple[float, ...] | None = None
    conversion_introduced: float = 0.367
    conversion_trained: float = 0.571
    p_level: float = 0.8
    n_paths: int = 10_000
    seed: int = 20251
    rate_target_members: str = "latest"
    push_band: float = 0.10
    push_share: float | None = 0.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("term_start", "term_end"):
            value = getattr(self, name)
            parts = str(value).split("-")
            if len(parts) != 2 or not all(p.isdigit() for p in parts):
                raise ConfigError(
                    f"assumption '{name}': found {value!r}; expected MM-DD such as 09-30. "
                    "Fix: give month and day separated by '-'."
                )
        if not 0 < self.pace_limited < self.pace_on_track:
            raise ConfigError(
                "assumptions 'pace_limited' and 'pace_on_track': expected "
                f"0 < pace_limited < pace_on_track, found {self.pace_limited} and "
                f"{self.pace_on_track}. Fix: e.g. 0.6 and 0.95."
            )
        for name in ("conversion_introduced", "conversion_trained", "p_level"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise ConfigError(
                    f"assumption '{name}': found {value!r}; expected a share strictly "
                    "between 0 and 1. Fix: write 36.7 % as 0.367."
                )
        if self.within_year_profile is not None:
            prof = tuple(float(x) for x in self.within_year_profile)
            ok = len(prof) == 12 and abs(prof[-1] - 1) < 1e-9 and all(
                0 <= a <= b for a, b in zip(prof, prof[1:])
            )
            if not ok:
                raise ConfigError(
                    "assumption 'within_year_profile': expected 12 non-decreasing "
                    f"cumulative shares ending in 1.0, found {self.within_year_profile!r}. "
                    "Fix: give the share of the year's admissions reached by the end "
                    "of each month, January to December."
                )
            object.__setattr__(self, "within_year_profile", prof)
        if not 0 <= self.push_band < 1 or (
                self.push_share is not None and not 0 <= self.push_share <= 1):
            raise ConfigError(
                "assumptions 'push_band' and 'push_share': expected 0 <= push_band < 1 and "
                f"push_share empty or in [0, 1], found {self.push_band!r} and "
                f"{self.push_share!r}. Fix: e.g. 0.1 and empty (estimated); 0 turns it off."
            )
        if self.n_paths < 100:
            raise ConfigError(
                f"assumption 'n_paths': found {self.n_paths}; expected at least 100. "
                "Fix: use 10000 for reports, 200 for quick tests."
            )

    @classmethod
    def from_mapping(cls, values: dict[str, Any], where: str = "parameters") -> "Assumptions":
        """Build from a mapping, refusing names that are not assumptions.

        Parameters
        ----------
        values : dict
            Field names and values, e.g. from a YAML file.
        where : str
            Named in the error message (a file or notebook).
        """
        names = {f.name for f in dataclasses.fields(cls) if f.name != "extra"}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ConfigError(
                f"{where}: unknown assumption(s) {', '.join(unknown)}; valid names are "
                f"{', '.join(sorted(names))}. Fix: correct the spelling or remove them."
            )
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (for manifests and the brief)."""
        out = dataclasses.asdict(self)
        out.pop("extra")
        if out["within_year_profile"] is not None:
            out["within_year_profile"] = list(out["within_year_profile"])
        return out
