"""Label-parsing speed: 1,000 varied labels through analyze_label (target: under 2 s).

Prints figures; not a pass/fail test. Run: python benchmarks/bench_labels.py
"""

import os
import random
import statistics
import time

from porescope.advise.ingredients import analyze_label
from porescope.advise.knowledge import knowledge

N_LABELS = 1000


def make_labels(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    kb = knowledge()
    names = [i.inci for i in kb.by_id.values()] + [s for i in kb.by_id.values() for s in i.synonyms]
    unknown = ["Moonflower Seed Oil", "Hydrolyzed Oat Protein", "Glyceryl Caprylate", "Sodium Gluconate", "Niacinamde"]
    labels = []
    for i in range(n):
        k = rng.randint(8, 40)
        picks = rng.sample(names, k) + rng.sample(unknown, rng.randint(0, 2))
        rng.shuffle(picks)
        if rng.random() < 0.3:
            picks[rng.randrange(len(picks))] += f" {rng.choice(['0.5', '2', '5', '10'])}%"
        sep = rng.choice([", ", "; ", "\n", ", "])
        body = sep.join(picks)
        style = i % 4
        if style == 0:
            labels.append("Ingredients: " + body)
        elif style == 1:
            labels.append("Hydrating pore serum. INGREDIENTS: " + body + ". Directions: apply at night.")
        elif style == 2:
            labels.append("Active ingredient: Salicylic acid 2% Acne treatment\nInactive ingredients: " + body)
        else:
            labels.append(body + " [+/- CI 77891, CI 77491]")
    return labels


def _timed(labels: list[str]) -> float:
    t0 = time.perf_counter()
    for text in labels:
        analyze_label(text)
    return time.perf_counter() - t0


def main() -> None:
    t0 = time.perf_counter()
    analyze_label("Aqua, Salicylic Acid")  # loads the knowledge base and the EU register once
    warm = time.perf_counter() - t0
    labels = make_labels(N_LABELS)
    entries = 0
    per = []
    t0, c0 = time.perf_counter(), time.process_time()
    for text in labels:
        s = time.perf_counter()
        entries += len(analyze_label(text).entries)
        per.append(time.perf_counter() - s)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"first call (load knowledge + on-the-list register): {warm:.3f} s")
    print(f"{N_LABELS} labels, {entries} entries: {total:.3f} s wall, {cpu:.3f} s CPU (target < 2 s)")
    best = min(_timed(labels) for _ in range(3))
    print(f"same {N_LABELS} labels again, best of 3 (warm caches): {best:.3f} s wall")
    print(f"per label: median {statistics.median(per) * 1e3:.2f} ms, p95 {sorted(per)[int(0.95 * len(per))] * 1e3:.2f} ms")
    # fresh labels never seen before (cache-cold names): shuffle a different seed
    cold = make_labels(N_LABELS, seed=11)
    t0, c0 = time.perf_counter(), time.process_time()
    for text in cold:
        analyze_label(text)
    print(f"{N_LABELS} other labels (new seed): {time.perf_counter() - t0:.3f} s wall, {time.process_time() - c0:.3f} s CPU")
    print(f"machine load average: {os.getloadavg()[0]:.1f} (shared CPUs inflate wall time)")


if __name__ == "__main__":
    main()
