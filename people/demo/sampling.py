"""Drawing from weighted choices with a given random generator, many times over the same choices (one draw:
core.demo.weighted_pick)."""

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


