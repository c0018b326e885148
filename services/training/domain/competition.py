"""The Social Worker Cup (社工杯): finalists from the preliminary, and the final ranking.

A contestant's total is the sum, over the three rounds, of the average of the judges' scores in that round.
Equal totals are ordered by the higher average in round 3, then round 2, then round 1; contestants still equal
after that share the rank (standard competition ranking: 1, 2, 2, 4) and are listed in registration order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

ROUNDS: dict[int, str] = {
    1: "底数我最清 (I know the numbers best)",
    2: "居民我最熟 (I know the residents best)",
    3: "业务我最强 (I am strongest at the work)",
}
TIE_BREAK = (
    "total of per-round judges' averages, then the higher round 3 average, then round 2, then round 1; "
    "contestants still equal share the rank and are listed in registration order"
)


@dataclass(frozen=True)
class Entrant:
    person_id: str
    street_code: str
    registered_seq: int


@dataclass(frozen=True)
class Preliminary:
    person_id: str
    score: float
    registered_seq: int


def select_finalists(preliminaries: Sequence[Preliminary], places: int) -> list[str]:
    """The `places` best preliminary scores; an equal score goes to the earlier registration."""
    ordered = sorted(preliminaries, key=lambda p: (-p.score, p.registered_seq))
    return [p.person_id for p in ordered[:places]]


@dataclass(frozen=True)
class Ranked:
    rank: int
    entrant: Entrant
    round_averages: tuple[Fraction, Fraction, Fraction]

    @property
    def total(self) -> Fraction:
        return sum(self.round_averages, Fraction(0))


def round_averages(scores: Mapping[int, Sequence[float]]) -> tuple[Fraction, Fraction, Fraction]:
    """Exact averages (fractions), so that equal totals compare equal."""

    def average(values: Sequence[float]) -> Fraction:
        if not values:
            return Fraction(0)
        return sum((Fraction(str(v)) for v in values), Fraction(0)) / len(values)

    return (average(scores.get(1, ())), average(scores.get(2, ())), average(scores.get(3, ())))


def rank(entrants: Sequence[Entrant], scores: Mapping[str, Mapping[int, Sequence[float]]]) -> list[Ranked]:
    """Rank entrants by their judges' scores (`scores[person_id][round]` = every judge's score)."""
    rows = [(entrant, round_averages(scores.get(entrant.person_id, {}))) for entrant in entrants]

    def merit(averages: tuple[Fraction, Fraction, Fraction]) -> tuple[Fraction, ...]:
        return (sum(averages, Fraction(0)), averages[2], averages[1], averages[0])

    rows.sort(key=lambda row: tuple(-value for value in merit(row[1])) + (row[0].registered_seq,))
    ranked: list[Ranked] = []
    for position, (entrant, averages) in enumerate(rows, start=1):
        shares = ranked and merit(ranked[-1].round_averages) == merit(averages)
        ranked.append(Ranked(ranked[-1].rank if shares else position, entrant, averages))
    return ranked
