"""Drawing from weighted choices with a given random generator (the demo ledger's only source of chance)."""

import bisect
import itertools


def weighted(pairs):
    """A sampler over (value, weight) pairs, drawing from a given random generator."""
    values = [v for v, _ in pairs]
    cumulative = list(itertools.accumulate(w for _, w in pairs))
    total = cumulative[-1]

    def draw(rng):
        return values[min(bisect.bisect_right(cumulative, rng.random() * total), len(values) - 1)]

    return draw


def pick(rng, pairs):
    total = sum(w for _, w in pairs)
    r = rng.random() * total
    for value, weight in pairs:
        r -= weight
        if r < 0:
            return value
    return pairs[-1][0]
