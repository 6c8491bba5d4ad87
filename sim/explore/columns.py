"""The column names of a sweep table, in one place.

Besides `run`, `seed`, `outcome`, `rounds` and one column per sampled number (its `--set`
path), a sweep table has four families of columns, each named by a prefix and a key:

- `binds.ACTOR.RED_LINE`: whether the red line bound in the run;
- `conceded.ACTOR.RED_LINE`: whether its precondition was conceded before talks;
- `terms.ISSUE`: the agreed option (or value) of the issue;
- `utility.ACTOR`: the agreement's utility to the actor.

>>> column(BINDS, "seller.price_floor")
'binds.seller.price_floor'
>>> family("conceded.seller.deadline")
('conceded.', 'seller.deadline')
>>> family("actors.seller.batna.value") is None
True
"""

from __future__ import annotations

BINDS = "binds."
CONCEDED = "conceded."
TERMS = "terms."
UTILITY = "utility."
FAMILIES = (BINDS, CONCEDED, TERMS, UTILITY)
"""The prefixes of the columns that are results of a run, not sampled numbers."""
FIXED = ("run", "seed", "outcome", "rounds")
"""The columns every sweep table has."""


def column(prefix: str, key: str) -> str:
    """The column of `key` in a family (`prefix` one of :data:`FAMILIES`)."""
    return f"{prefix}{key}"


def family(name: str) -> tuple[str, str] | None:
    """(prefix, key) of a column of one of the families, or None (a sampled number or fixed)."""
    for prefix in FAMILIES:
        if name.startswith(prefix):
            return prefix, name.removeprefix(prefix)
    return None
