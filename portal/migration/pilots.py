"""Choosing pilot migrations: ``k`` products that cover as many Rs, complexity levels and stakeholder
teams as possible (the sum of the distinct values covered in each of the three dimensions).

Each product covers one value per dimension, so only distinct (R, complexity, team) profiles matter.
An exact branch and bound over those profiles, seeded with the greedy answer and bounded per dimension
(``k`` more picks add at most ``min(k, values still open)`` per dimension), finds the maximum; past a
node budget it returns the best found and says it is not proven (never seen on real portfolios).

Pure: no Django. Ties go to the earlier candidate (callers order them, e.g. by name).
"""

from __future__ import annotations

from dataclasses import dataclass

DIMENSIONS = ("r", "complexity", "team")
NODE_BUDGET = 200_000


@dataclass(frozen=True)
class Candidate:
    key: object  # what the caller knows it by (a product pk)
    r: str
    complexity: str
    team: str

    def values(self) -> tuple[tuple[str, str], ...]:
        return tuple((dimension, getattr(self, dimension)) for dimension in DIMENSIONS)


@dataclass(frozen=True)
class Selection:
    picked: list[Candidate]
    adds: list[list[tuple[str, str]]]  # per pick (in pick order): the values it covered first
    covered: dict[str, list[str]]  # dimension -> values covered
    uncovered: dict[str, list[str]]  # dimension -> values of the portfolio left uncovered
    score: int  # values covered, all dimensions together
    possible: int  # values in the portfolio, all dimensions together
    exact: bool  # the score is proven maximal


def coverage(candidates) -> int:
    return len({value for candidate in candidates for value in candidate.values()})


def select_pilots(candidates: list[Candidate], k: int) -> Selection:
    candidates = list(candidates)
    k = max(0, min(k, len(candidates)))
    profiles: dict[tuple, Candidate] = {}
    for candidate in candidates:  # one candidate per profile: the first
        profiles.setdefault(candidate.values(), candidate)
    distinct = list(profiles.values())
    if k >= len(distinct):
        chosen, exact = distinct + [c for c in candidates if c not in distinct][:k - len(distinct)], True
    else:
        chosen, exact = _best(distinct, k)
    return _explain(candidates, _pick_order(chosen), exact)


def _greedy(candidates: list[Candidate], k: int) -> list[Candidate]:
    chosen, covered = [], set()
    for _ in range(k):
        best = max((c for c in candidates if c not in chosen),
                   key=lambda c: len(set(c.values()) - covered), default=None)
        if best is None:
            break
        chosen.append(best)
        covered |= set(best.values())
    return chosen


def _best(candidates: list[Candidate], k: int) -> tuple[list[Candidate], bool]:
    incumbent = _greedy(candidates, k)
    best = {"score": coverage(incumbent), "chosen": incumbent}
    universe = {d: {c.values()[i] for c in candidates} for i, d in enumerate(DIMENSIONS)}
    ceiling = sum(min(k, len(values)) for values in universe.values())
    if best["score"] == ceiling:
        return incumbent, True
    # Later candidates first in the suffix sets: what is still available from index i on.
    available = [None] * (len(candidates) + 1)
    available[len(candidates)] = {d: set() for d in DIMENSIONS}
    for i in range(len(candidates) - 1, -1, -1):
        available[i] = {d: available[i + 1][d] | {candidates[i].values()[j]} for j, d in enumerate(DIMENSIONS)}
    nodes = 0

    def bound(i: int, left: int, covered: set) -> int:
        return len(covered) + sum(min(left, len(available[i][d] - covered)) for d in DIMENSIONS)

    def search(i: int, chosen: list[Candidate], covered: set) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > NODE_BUDGET:
            return False
        left = k - len(chosen)
        if left == 0 or i == len(candidates):
            if len(covered) > best["score"]:
                best["score"], best["chosen"] = len(covered), list(chosen)
            return True
        if bound(i, left, covered) <= best["score"]:
            return True
        candidate = candidates[i]
        if not search(i + 1, [*chosen, candidate], covered | set(candidate.values())):
            return False
        if len(candidates) - (i + 1) >= left:  # enough candidates remain to skip this one
            return search(i + 1, chosen, covered)
        return True

    finished = search(0, [], set())
    chosen = best["chosen"]
    if len(chosen) < k:  # pad with the next candidates (they add nothing new, but k pilots were asked)
        chosen = chosen + [c for c in candidates if c not in chosen][:k - len(chosen)]
    return chosen, finished


def _pick_order(chosen: list[Candidate]) -> list[Candidate]:
    """The chosen set in the order that explains it best: each next pick adds the most still open."""
    return _greedy(chosen, len(chosen))


def _explain(candidates: list[Candidate], picked: list[Candidate], exact: bool) -> Selection:
    covered_so_far: set = set()
    adds = []
    for candidate in picked:
        new = [value for value in candidate.values() if value not in covered_so_far]
        covered_so_far |= set(new)
        adds.append(new)
    everything = {value for candidate in candidates for value in candidate.values()}
    covered = {d: sorted(v for dim, v in covered_so_far if dim == d) for d in DIMENSIONS}
    uncovered = {d: sorted(v for dim, v in everything - covered_so_far if dim == d) for d in DIMENSIONS}
    return Selection(picked=picked, adds=adds, covered=covered, uncovered=uncovered, score=len(covered_so_far),
                     possible=len(everything), exact=exact)
