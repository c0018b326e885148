"""Ranking the Social Worker Cup: totals of per-round averages, the stated tie-break, shared ranks."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from services.training.domain.competition import Entrant, Preliminary, rank, round_averages, select_finalists


def _entrants(*ids: str) -> list[Entrant]:
    return [Entrant(person_id, "WG", seq) for seq, person_id in enumerate(ids)]


def test_averages_are_exact_so_thirds_compare_equal():
    assert round_averages({1: [80, 80, 81], 2: [79, 81, 81], 3: []}) == (
        Fraction(241, 3),
        Fraction(241, 3),
        0,
    )


def test_equal_totals_are_ordered_by_round_3_then_round_2_then_round_1():
    scores = {
        "early": {1: [90], 2: [80], 3: [80]},  # 250, round 3: 80
        "late": {1: [80], 2: [80], 3: [90]},  # 250, round 3: 90 wins
        "mid": {1: [85], 2: [85], 3: [80]},  # 250, round 3 ties with early, round 2 wins
    }
    ranked = rank(_entrants("early", "late", "mid"), scores)
    assert [(r.entrant.person_id, r.rank) for r in ranked] == [("late", 1), ("mid", 2), ("early", 3)]


def test_contestants_equal_on_every_criterion_share_the_rank_and_the_next_rank_is_skipped():
    same = {1: [85], 2: [85], 3: [85]}
    scores = {"a": {1: [100], 2: [100], 3: [100]}, "b": same, "c": same, "d": {1: [1], 2: [1], 3: [1]}}
    ranked = rank(_entrants("a", "c", "b", "d"), scores)
    assert [(r.entrant.person_id, r.rank) for r in ranked] == [("a", 1), ("c", 2), ("b", 2), ("d", 4)]


def test_the_preliminary_keeps_the_best_scores_and_an_equal_score_goes_to_the_earlier_registration():
    preliminaries = [
        Preliminary("x", 80, 3),
        Preliminary("y", 80, 1),
        Preliminary("z", 95, 2),
        Preliminary("w", 60, 0),
    ]
    assert select_finalists(preliminaries, 2) == ["z", "y"]


@given(
    st.lists(
        st.tuples(*(st.lists(st.integers(0, 100), min_size=1, max_size=4) for _ in range(3))),
        min_size=1,
        max_size=12,
    )
)
def test_ranks_never_decrease_down_the_list_and_a_better_total_is_never_ranked_below_a_worse_one(rows):
    entrants = _entrants(*(f"p{n}" for n in range(len(rows))))
    scores = {f"p{n}": {1: r1, 2: r2, 3: r3} for n, (r1, r2, r3) in enumerate(rows)}
    ranked = rank(entrants, scores)
    assert ranked[0].rank == 1
    for before, after in zip(ranked, ranked[1:], strict=False):
        assert before.total >= after.total
        assert before.rank <= after.rank
        assert after.rank in (before.rank, ranked.index(after) + 1)
