"""Pilot selection covers the most Rs × complexity × teams for a given pilot count: checked against brute
force on small portfolios, and property-tested on random ones."""

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.migration.pilots import Candidate, coverage, select_pilots

RS = ["rehost", "replatform", "refactor", "rebuild", "retire"]
LEVELS = ["low", "medium", "high"]
TEAMS = ["a", "b", "c", "d"]


def brute_force(candidates, k) -> int:
    k = min(k, len(candidates))
    return max((coverage(combo) for combo in combinations(candidates, k)), default=0)


def portfolio(rows):
    return [Candidate(key=i, r=r, complexity=c, team=t) for i, (r, c, t) in enumerate(rows)]


SMALL = [
    (portfolio([("rehost", "low", "a"), ("rehost", "low", "b"), ("refactor", "high", "a"), ("retire", "medium", "c"),
                ("rehost", "medium", "a")]), 2),
    # Greedy takes the first triple, then cannot add three new values twice; the optimum pairs differently.
    (portfolio([("rehost", "low", "a"), ("refactor", "low", "b"), ("rehost", "high", "b"), ("refactor", "high", "a"),
                ("rebuild", "medium", "c")]), 3),
    (portfolio([("rehost", "low", "a")] * 4 + [("retire", "high", "d")]), 3),
]


@pytest.mark.parametrize(("candidates", "k"), SMALL)
def test_coverage_is_maximal_on_small_cases(candidates, k):
    selection = select_pilots(candidates, k)
    assert len(selection.picked) == k
    assert selection.exact
    assert selection.score == coverage(selection.picked) == brute_force(candidates, k)


def test_the_selection_explains_itself():
    candidates = portfolio([("rehost", "low", "a"), ("refactor", "high", "b"), ("rehost", "low", "b"),
                            ("retire", "medium", "a")])
    selection = select_pilots(candidates, 2)
    assert selection.score == 6 and selection.possible == 8  # 3 Rs + 3 levels + 2 teams
    assert sum(len(values) for values in selection.covered.values()) == 6
    assert selection.covered["team"] == ["a", "b"]
    assert sum(len(adds) for adds in selection.adds) == selection.score
    left = sum(len(values) for values in selection.uncovered.values())
    assert left == selection.possible - selection.score
    assert selection.adds[0] and all(isinstance(value, tuple) for value in selection.adds[0])


candidate_rows = st.lists(st.tuples(st.sampled_from(RS), st.sampled_from(LEVELS), st.sampled_from(TEAMS)),
                          min_size=1, max_size=9)


@settings(max_examples=150, deadline=None)
@given(rows=candidate_rows, k=st.integers(min_value=1, max_value=5))
def test_random_portfolios_match_brute_force(rows, k):
    candidates = portfolio(rows)
    selection = select_pilots(candidates, k)
    assert len(selection.picked) == min(k, len(candidates))
    assert len({c.key for c in selection.picked}) == len(selection.picked)  # no product twice
    assert selection.score == coverage(selection.picked) == brute_force(candidates, k)
    covered = {(d, v) for d, values in selection.covered.items() for v in values}
    uncovered = {(d, v) for d, values in selection.uncovered.items() for v in values}
    assert not covered & uncovered and len(covered | uncovered) == selection.possible


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(RS + ["retain"]), st.sampled_from(LEVELS),
                               st.sampled_from([f"t{n}" for n in range(12)])), min_size=20, max_size=80),
       k=st.integers(min_value=2, max_value=8))
def test_larger_portfolios_reach_the_ceiling_or_prove_the_maximum(rows, k):
    """Too big for brute force: the answer is proven exact within the search budget, and at least as good
    as picking greedily."""
    from portal.migration.pilots import _greedy

    candidates = portfolio(rows)
    selection = select_pilots(candidates, k)
    assert selection.exact
    assert selection.score >= coverage(_greedy(candidates, k))
