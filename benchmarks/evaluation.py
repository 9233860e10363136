"""Measuring the NLU on the held-out test set, side by side with a simple baseline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.dataset import Example
from bot.knowledge import Knowledge
from bot.nlu.interpret import Interpretation, outlet_name

ENTITY_TYPES = ("bank", "district", "outlet")


@dataclass
class Scores:
    """Figures of one system on one test set."""

    name: str
    intent_accuracy: float
    category_accuracy: float
    macro_f1: float
    per_intent: dict[str, dict[str, float]]
    entity: dict[str, dict[str, float]] = field(default_factory=dict)
    confusion: list[list[int]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    # Calibration: for each band of reported confidence, how often the intent was right.
    reliability: list[dict[str, float]] = field(default_factory=list)
    calibration_error: float | None = None


def reliability(confidences: Sequence[float], correct: Sequence[bool], *, bands: int = 10
                ) -> tuple[list[dict[str, float]], float]:
    """Reliability table in equal-width confidence bands, and the expected calibration error.

    A confidence means something when, among messages given about 0.8, about 80 % are right; the
    expected calibration error is the gap between the two, averaged over messages.
    """
    rows: list[dict[str, float]] = []
    gap = 0.0
    for band in range(bands):
        low, high = band / bands, (band + 1) / bands
        inside = [(c, ok) for c, ok in zip(confidences, correct, strict=True)
                  if low <= c < high or (band == bands - 1 and c == 1.0)]
        if not inside:
            continue
        mean = sum(c for c, _ in inside) / len(inside)
        accuracy = sum(ok for _, ok in inside) / len(inside)
        rows.append({"low": low, "high": high, "n": len(inside), "confidence": mean, "accuracy": accuracy})
        gap += len(inside) * abs(mean - accuracy)
    return rows, gap / len(confidences) if confidences else 0.0


def gold_entities(example: Example, knowledge: Knowledge) -> dict[str, str]:
    """Canonical value per entity type of an annotated example, earliest mention first."""
    gold: dict[str, str] = {}
    for span in sorted(example.spans, key=lambda s: s.start):
        if span.entity == "bank":
            value = knowledge.canonical_bank(span.surface) or span.surface
        elif span.entity == "district":
            value = knowledge.canonical_district(span.surface) or span.surface
        elif span.entity == "outlet":
            value = outlet_name(span.surface, knowledge) or span.surface
        else:
            continue
        gold.setdefault(span.entity, value)
    return gold


def entity_scores(gold: Sequence[dict[str, str]], pred: Sequence[dict[str, str]]) -> dict[str, dict[str, float]]:
    """Precision/recall/F1 per entity type; a wrong value counts as one false positive and one miss."""
    out: dict[str, dict[str, float]] = {}
    for kind in ENTITY_TYPES:
        tp = fp = fn = 0
        for g, p in zip(gold, pred, strict=True):
            if kind in p and p[kind] == g.get(kind):
                tp += 1
            else:
                fp += kind in p
                fn += kind in g
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[kind] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return out


def score(name: str, gold_intents: Sequence[str], pred_intents: Sequence[str], texts: Sequence[str],
          knowledge: Knowledge) -> Scores:
    """Intent and category figures of one system."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    labels = [intent.name for intent in knowledge.intents]
    p, r, f, s = precision_recall_fscore_support(gold_intents, pred_intents, labels=labels, zero_division=0)
    category = {intent.name: intent.category for intent in knowledge.intents}
    return Scores(
        name=name,
        intent_accuracy=accuracy_score(gold_intents, pred_intents),
        category_accuracy=accuracy_score([category[g] for g in gold_intents],
                                         [category.get(x, "?") for x in pred_intents]),
        macro_f1=float(f[s > 0].mean()),
        per_intent={label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                            "support": int(s[i])} for i, label in enumerate(labels)},
        confusion=confusion_matrix(gold_intents, pred_intents, labels=labels).tolist(),
        labels=labels,
        errors=[(t, g, x) for t, g, x in zip(texts, gold_intents, pred_intents, strict=True) if g != x],
    )


def train_baseline(train: Sequence[Example], knowledge: Knowledge) -> Callable[[Sequence[str]], list[str]]:
    """Character n-gram TF-IDF with logistic regression, trained on the same data as the model."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=3000),
    )
    model.fit([ex.text for ex in train], [knowledge.intent_by_rasa_name(ex.intent).name for ex in train])
    return lambda texts: list(model.predict(list(texts)))


def evaluate(test: Sequence[Example], predict: Callable[[str], Interpretation],
             baseline: Callable[[Sequence[str]], list[str]], knowledge: Knowledge) -> tuple[Scores, Scores]:
    """Scores of the model (intents, categories, entities) and of the baseline (intents, categories)."""
    texts = [ex.text for ex in test]
    gold = [knowledge.intent_by_rasa_name(ex.intent).name for ex in test]
    results = [predict(text) for text in texts]
    model = score("pipeline", gold, [r.intent for r in results], texts, knowledge)
    model.reliability, model.calibration_error = reliability(
        [r.confidence for r in results], [r.intent == g for r, g in zip(results, gold, strict=True)])
    model.entity = entity_scores([gold_entities(ex, knowledge) for ex in test], [r.entities for r in results])
    base = score("baseline", gold, baseline(texts), texts, knowledge)
    return model, base


def render_markdown(model: Scores, base: Scores, *, test_set: str, test_size: int, train_size: int) -> str:
    """The evaluation report as Markdown."""
    lines = [
        f"# NLU evaluation on evaluation/{test_set}",
        "",
        f"{test_size} messages, never trained on. "
        f"Training set: {train_size} examples (nlu_data/).",
        "",
        "| figure | pipeline (config.yml) | baseline (char TF-IDF + logistic regression) | target |",
        "|---|---|---|---|",
        f"| category accuracy | {model.category_accuracy:.3f} | {base.category_accuracy:.3f} | ≥ 0.97 |",
        f"| intent accuracy | {model.intent_accuracy:.3f} | {base.intent_accuracy:.3f} | |",
        f"| intent macro-F1 | {model.macro_f1:.3f} | {base.macro_f1:.3f} | ≥ 0.92 |",
    ]
    for kind, figures in model.entity.items():
        target = "≥ 0.97" if kind == "bank" else ""
        lines.append(f"| {kind} entity F1 (support {figures['support']}) | {figures['f1']:.3f} | — | {target} |")
    oos = model.per_intent.get("other/out_of_scope")
    if oos:
        lines.append(f"| out-of-scope detection: precision / recall | {oos['precision']:.3f} / {oos['recall']:.3f} "
                     f"| {base.per_intent['other/out_of_scope']['precision']:.3f} / "
                     f"{base.per_intent['other/out_of_scope']['recall']:.3f} | |")
    if model.reliability:
        lines += ["", "## Reliability of the confidence", "",
                  f"Expected calibration error {model.calibration_error:.3f}: among messages given a confidence "
                  "in a band, the share whose intent was right.", "",
                  "| confidence band | messages | mean confidence | intent right |", "|---|---|---|---|"]
        lines += [f"| {r['low']:.1f}–{r['high']:.1f} | {r['n']} | {r['confidence']:.3f} | {r['accuracy']:.3f} |"
                  for r in model.reliability]
    lines += ["", "## Per intent", "", "| intent | P | R | F1 | n | baseline F1 |", "|---|---|---|---|---|---|"]
    for label, figures in model.per_intent.items():
        lines.append(f"| {label} | {figures['precision']:.2f} | {figures['recall']:.2f} | {figures['f1']:.2f} "
                     f"| {figures['support']} | {base.per_intent[label]['f1']:.2f} |")
    lines += ["", "## Confusions of the pipeline (gold → predicted, count)", "", "| gold | predicted | n |",
              "|---|---|---|"]
    pairs = [(model.confusion[i][j], model.labels[i], model.labels[j])
             for i in range(len(model.labels)) for j in range(len(model.labels)) if i != j and model.confusion[i][j]]
    for n, gold, pred in sorted(pairs, reverse=True):
        lines.append(f"| {gold} | {pred} | {n} |")
    lines += ["", "The full matrix is in the PNG and JSON files beside this report.", "",
              "## Misclassified messages", ""]
    lines += [f"- {text} — expected {g}, got {p}" for text, g, p in model.errors]
    return "\n".join(lines) + "\n"


def plot_confusion(scores: Scores, path: Path) -> None:
    """Confusion matrix as a PNG heat map."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = len(scores.labels)
    fig, ax = plt.subplots(figsize=(13, 12))
    ax.imshow(scores.confusion, cmap="Blues")
    ax.set_xticks(range(size), scores.labels, rotation=90, fontsize=7)
    ax.set_yticks(range(size), scores.labels, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    ax.set_title(f"NLU confusion matrix (intent accuracy {scores.intent_accuracy:.3f})")
    for i in range(size):
        for j in range(size):
            if scores.confusion[i][j]:
                ax.text(j, i, scores.confusion[i][j], ha="center", va="center", fontsize=6,
                        color="white" if i == j else "crimson")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
