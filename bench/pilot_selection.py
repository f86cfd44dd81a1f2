"""Pilot selection (portal.migration.pilots) on random portfolios: time, score, the per-dimension ceiling,
and whether the maximum was proven, beside the greedy answer. Pure Python, no database.

    PYTHONPATH=. .venv/bin/python bench/pilot_selection.py
"""

from __future__ import annotations

import random
import time

from portal.migration.pilots import Candidate, _greedy, coverage, select_pilots

RS = ["rehost", "replatform", "refactor", "rebuild", "retire"]
LEVELS = ["low", "medium", "high"]


def portfolio(size: int, teams: int, seed: int) -> list[Candidate]:
    rng = random.Random(seed)  # noqa: S311 — a reproducible portfolio, not a secret
    return [Candidate(key=i, r=rng.choice(RS), complexity=rng.choice(LEVELS), team=f"team-{rng.randrange(teams)}")
            for i in range(size)]


def main() -> None:
    print(f"{'products':>8} {'teams':>5} {'k':>3} {'ms':>8} {'score':>5} {'greedy':>6} {'possible':>8} exact")
    for size, teams in ((50, 8), (200, 20), (1000, 40), (5000, 60)):
        for k in (4, 8, 12, 20):
            candidates = portfolio(size, teams, seed=size * 100 + k)
            start = time.perf_counter()
            selection = select_pilots(candidates, k)
            elapsed = (time.perf_counter() - start) * 1000
            greedy = coverage(_greedy(candidates, k))
            print(f"{size:>8} {teams:>5} {k:>3} {elapsed:>8.1f} {selection.score:>5} {greedy:>6} "
                  f"{selection.possible:>8} {selection.exact}")


if __name__ == "__main__":
    main()
