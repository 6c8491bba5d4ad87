"""What one negotiation run produces: the ending, the terms, and the story of how."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sim.scenario.schema import OptionRef

Outcome = Literal["agreement", "no_talks", "deadlock", "walkout", "escalation"]
OUTCOMES: tuple[Outcome, ...] = ("agreement", "no_talks", "deadlock", "walkout", "escalation")


@dataclass(frozen=True)
class RunResult:
    """One seeded run of a scenario.

    `terms` and `utilities` are None unless the run ended in an agreement (or, for
    `escalation`, the deployed terms). `events` are plain dicts, ready for JSON: each has at
    least `round` and `kind`; proposals also have `proposer`, `offer` and `responses`
    (actor id -> {accept, reason, red_line}).
    """

    scenario: str
    seed: int
    outcome: Outcome
    rounds: int
    terms: dict[str, OptionRef] | None
    utilities: dict[str, float] | None
    binding_red_lines: dict[str, list[str]]
    sampled: dict[str, float] = field(default_factory=dict)
    """The uncertain numbers drawn for this run, by dotted path."""
    conceded: dict[str, list[str]] = field(default_factory=dict)
    """Per actor, its binding precondition red lines that were conceded before talks."""
    events: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The `redlines run --json` object."""
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "outcome": self.outcome,
            "rounds": self.rounds,
            "terms": self.terms,
            "utilities": self.utilities,
            "binding_red_lines": self.binding_red_lines,
            "sampled": self.sampled,
            "conceded": self.conceded,
            "events": self.events,
        }
