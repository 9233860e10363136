"""Calibrating the intent confidence and choosing the thresholds that read it, on the development set.

`sbk nlu calibrate` runs the trained model over evaluation/dev_set.yml and

1. fits one factor `s` for temperature scaling on the reported rankings: the probabilities
   softmax(s · log p) that make the development set's gold intents likeliest. The model already
   applies its configured temperature T, so the temperature to configure is T / s; on a model
   trained with that temperature the command finds s ≈ 1 again;
2. with those calibrated confidences, weighs the two thresholds a reply depends on: a right
   answer counts +1, a clarifying question 0, a wrong answer −`cost`. Below the
   FallbackClassifier's threshold every message gets a clarifying question; below the inquiry
   threshold (bot.answers' CLARIFY_BELOW) a guide or small talk is asked about rather than risked,
   since a wrong guide is a screenful of the wrong procedure (cost 2) while a wrongly started
   form is corrected at its first question (cost 1).

   With a confidence c that is calibrated, answering gains c − cost · (1 − c), positive above
   cost / (1 + cost): 0.50 and 0.67. Those are the thresholds chosen. The sweep over the
   development set shows the utility each threshold would have had; its own maximum moves by
   a step or two between retrains, because a few hundred messages make the curve flat within a
   handful of messages around it, so it checks the choice rather than makes it.

The rankings hold the ten likeliest intents; what is left of the probability counts as one more
outcome, so a gold intent outside the ten is scored as that remainder rather than dropped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

FORM_COST = 1.0
GUIDE_COST = 2.0
# Thresholds are chosen on a grid: a finer one would fit the development set's few messages near it.
GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))


@dataclass(frozen=True)
class Ranked:
    """One development message: the model's ranking (intent, confidence) and the gold intent."""

    ranking: tuple[tuple[str, float], ...]
    gold: str
    category: str  # the predicted intent's category


def _log_probabilities(item: Ranked) -> tuple[np.ndarray, int]:
    """Log-probabilities of the ranked intents and of the remainder; the gold's index (the remainder if absent)."""
    confidences = np.array([c for _, c in item.ranking], dtype=float)
    remainder = max(1.0 - float(confidences.sum()), 1e-6)
    logs = np.log(np.clip(np.append(confidences, remainder), 1e-12, 1.0))
    names = [name for name, _ in item.ranking]
    return logs, names.index(item.gold) if item.gold in names else len(names)


def scaled(item: Ranked, s: float) -> np.ndarray:
    """softmax(s · log p) over the ranked intents and the remainder."""
    logs, _ = _log_probabilities(item)
    z = s * logs
    z -= z.max()
    p = np.exp(z)
    return p / p.sum()


def negative_log_likelihood(items: Sequence[Ranked], s: float) -> float:
    total = 0.0
    for item in items:
        logs, gold = _log_probabilities(item)
        z = s * logs
        total -= z[gold] - (z.max() + math.log(np.exp(z - z.max()).sum()))
    return total / len(items)


def fit_scale(items: Sequence[Ranked]) -> float:
    """The factor s > 0 that minimises the negative log-likelihood of the gold intents."""
    from scipy.optimize import minimize_scalar

    if not items:
        raise ValueError("no messages to calibrate on")
    result = minimize_scalar(lambda log_s: negative_log_likelihood(items, math.exp(log_s)),
                             bounds=(-3.0, 3.0), method="bounded")
    return math.exp(result.x)


@dataclass(frozen=True)
class Outcome:
    """What a threshold does to a set of messages."""

    threshold: float
    answered: int
    right: int
    wrong: int
    asked: int
    utility: float


def outcome(confidences: Sequence[float], correct: Sequence[bool], threshold: float, cost: float) -> Outcome:
    """Answer at or above `threshold`, ask below it; utility = right − cost · wrong."""
    answered = [ok for c, ok in zip(confidences, correct, strict=True) if c >= threshold]
    right = sum(answered)
    wrong = len(answered) - right
    return Outcome(threshold, len(answered), right, wrong, len(confidences) - len(answered), right - cost * wrong)


def best(outcomes: Sequence[Outcome]) -> Outcome:
    """The most useful threshold; of equally useful ones the lowest, which asks citizens least."""
    return max(outcomes, key=lambda o: (o.utility, -o.threshold))


def break_even(cost: float) -> float:
    """The calibrated confidence above which an answer is worth more than a question."""
    return round(cost / (1.0 + cost), 2)


@dataclass(frozen=True)
class Calibration:
    scale: float
    temperature: float  # to configure: the current temperature divided by the scale
    nll_before: float
    nll_after: float
    fallback: Outcome  # at the break-even threshold of a wrong form start
    fallback_sweep: tuple[Outcome, ...]
    clarify: Outcome  # at the break-even threshold of a wrong guide
    clarify_sweep: tuple[Outcome, ...]


def calibrate(items: Sequence[Ranked], *, current_temperature: float) -> Calibration:
    """Fit the scale; the fallback threshold and, above it, the inquiry threshold with their sweeps."""
    s = fit_scale(items)
    confidences = [float(scaled(item, s)[0]) for item in items]
    correct = [item.ranking[0][0] == item.gold for item in items]
    fallback_at = break_even(FORM_COST)
    fallback_sweep = tuple(outcome(confidences, correct, t, FORM_COST) for t in sorted({*GRID, fallback_at}))
    # Inquiry and small-talk replies among the messages the fallback lets through.
    kept = [(c, ok) for c, ok, item in zip(confidences, correct, items, strict=True)
            if c >= fallback_at and item.category not in ("complaint", "praise")]
    clarify_at = max(break_even(GUIDE_COST), fallback_at)
    clarify_sweep = tuple(outcome([c for c, _ in kept], [ok for _, ok in kept], t, GUIDE_COST)
                          for t in sorted({*GRID, clarify_at}) if t >= fallback_at)
    return Calibration(
        scale=s, temperature=current_temperature / s,
        nll_before=negative_log_likelihood(items, 1.0), nll_after=negative_log_likelihood(items, s),
        fallback=next(o for o in fallback_sweep if o.threshold == fallback_at), fallback_sweep=fallback_sweep,
        clarify=next(o for o in clarify_sweep if o.threshold == clarify_at), clarify_sweep=clarify_sweep,
    )


def expected_calibration_error(items: Sequence[Ranked], s: float) -> float:
    from benchmarks.evaluation import reliability

    _, error = reliability([float(scaled(item, s)[0]) for item in items],
                           [item.ranking[0][0] == item.gold for item in items])
    return error


def _sweep_table(outcomes: Sequence[Outcome], chosen: Outcome, cost: float) -> list[str]:
    lines = [f"| threshold | answered | right | wrong | asked instead | utility (right − {cost:g} × wrong) |",
             "|---|---|---|---|---|---|"]
    top = best(outcomes)
    for o in outcomes:
        mark = (" **chosen**" if o == chosen else "") + (" (the sweep's best)" if o == top else "")
        lines.append(f"| {o.threshold:.2f}{mark} | {o.answered} | {o.right} | {o.wrong} | {o.asked} | {o.utility:g} |")
    return lines


def render_markdown(result: Calibration, *, dev_size: int, current_temperature: float, current_fallback: float,
                    current_clarify: float, held_out: dict[str, tuple[int, float, float]], machine: str) -> str:
    """The calibration section of BENCHMARKS.md; `held_out` maps a set to (size, ECE before, ECE after)."""
    lines = [
        "## Confidence calibration and thresholds (`sbk nlu calibrate`)",
        "",
        machine,
        "",
        f"Fitted on evaluation/dev_set.yml ({dev_size} messages) through the trained model: temperature scaling "
        f"of the reported ranking, then the thresholds on the calibrated confidence. The model was trained with "
        f"temperature {current_temperature:g}; the fitted factor is {result.scale:.3f}, so the temperature to "
        f"configure is **{result.temperature:.2f}** (negative log-likelihood on the development set "
        f"{result.nll_before:.3f} → {result.nll_after:.3f}).",
        "",
        "Expected calibration error before → after, with the factor fitted on the development set only "
        "(the other sets were not used to fit anything):",
        "",
        "| set | messages | ECE as trained | ECE calibrated |",
        "|---|---|---|---|",
    ]
    lines += [f"| {name} | {n} | {before:.3f} | {after:.3f} |" for name, (n, before, after) in held_out.items()]
    lines += [
        "",
        f"FallbackClassifier threshold (every message below it gets a clarifying question; a wrong answer "
        f"costs {FORM_COST:g}): configured {current_fallback:g}, chosen **{result.fallback.threshold:.2f}** "
        f"(break-even of a calibrated confidence; utility there {result.fallback.utility:g}, the sweep's best "
        f"{best(result.fallback_sweep).utility:g}).",
        "",
        *_sweep_table(result.fallback_sweep, result.fallback, FORM_COST),
        "",
        f"Inquiry threshold, bot.answers CLARIFY_BELOW (guides and small talk above the fallback threshold; a "
        f"wrong guide costs {GUIDE_COST:g}): configured {current_clarify:g}, chosen "
        f"**{result.clarify.threshold:.2f}** (utility there {result.clarify.utility:g}, the sweep's best "
        f"{best(result.clarify_sweep).utility:g}).",
        "",
        *_sweep_table(result.clarify_sweep, result.clarify, GUIDE_COST),
        "",
    ]
    return "\n".join(lines)
