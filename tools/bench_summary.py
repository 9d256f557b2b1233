#!/usr/bin/env python3
"""Summarise tools/bench's round logs: medians of RESULT lines, in-round ratios against
the peers, and issue 3's targets. Usage: bench_summary.py LOGDIR"""
import glob, os, re, statistics, sys

LINE = re.compile(r"^RESULT (\S+) (\S+) ([0-9.]+) (\S+)")
logs = sys.argv[1]
rounds = {}   # round -> {(tool, key): value}
units = {}
for path in sorted(glob.glob(os.path.join(logs, "*.log"))):
    m = re.search(r"\.r(\d+)\.log$", path)
    r = int(m.group(1)) if m else 0
    for line in open(path):
        x = LINE.match(line)
        if x:
            rounds.setdefault(r, {})[(x.group(1), x.group(2))] = float(x.group(3))
            units[(x.group(1), x.group(2))] = x.group(4)
once = rounds.pop(0, {})

def values(key):
    return [v[key] for v in rounds.values() if key in v] or ([once[key]] if key in once else [])

def median(key):
    v = values(key)
    return statistics.median(v) if v else None

def ratio(a, b):
    """Median over rounds of a/b measured in the same round."""
    v = [r[a] / r[b] for r in rounds.values() if a in r and b in r and r[b]]
    return statistics.median(v) if v else None

def fmt(x, unit=""):
    if x is None:
        return "–"
    if unit in ("ms", "MB") or unit.startswith("B"):
        return f"{x:,.1f}"
    return f"{x:,.0f}"

M = "meetlog"
rows = [
    # label, key, unit, target text, ok(value) or None, peer comparisons [(label, peer key, min ratio)]
    ("batched append, end to end", (M, "append_batch"), "ev/s", "≥ 100,000", lambda v: v >= 100_000,
     [("eventsourcing (b)", ("eventsourcing", "b_batch"), 5.0), ("plain Python (b)", ("raw_python", "b_batch"), 1.3)]),
    ("durable single append (library)", (M, "single_durable"), "ev/s", "≥ 0.9× C floor (a)", None,
     [("C floor (a)", ("raw_floor", "nodict.a_txn_per_event"), 0.9),
      ("C, meetlog's five B-trees", ("floor_single", "meetlog_layout"), None),
      ("C, hashes and an id index only", ("floor_single", "ids_and_hashes"), None)]),
    ("script loop, one process per event", (M, "script_loop"), "appends/s", "≥ 150", lambda v: v >= 150, []),
    ("full replay (`state`, no snapshots)", (M, "replay_full"), "ev/s", "≥ 0.8× C floor (c2) + dict", None,
     [("C floor (c2) + dict", ("raw_floor", "dict.c2_replay_parse_fold"), 0.8), ("eventsourcing (c2)", ("eventsourcing", "c_replay"), None)]),
    ("verify", (M, "verify"), "ev/s", "≥ 300,000", lambda v: v >= 300_000, []),
    ("store size (file + WAL)", (M, "db_bytes"), "B/event", "≤ 250", lambda v: v <= 250,
     [("C floor + dict file", ("raw_floor", "dict.db_bytes"), None)]),
    ("raw NDJSON", (M, "raw_json_bytes"), "B/event", "", None, []),
    ("large store: `state relations` now", (M, "large_state_now_relations"), "ms", "≤ 50", lambda v: v <= 50, []),
    ("large store: `state relations --as-of 2019-12-31`", (M, "large_state_asof_relations"), "ms", "≤ 50", lambda v: v <= 50, []),
    ("large store: `state` now (relations and open items)", (M, "large_state_now_full"), "ms", "≤ 50", lambda v: v <= 50, []),
    ("large store: replay (`state relations --no-snapshots`)", (M, "large_replay_full"), "ev/s", "", None, []),
    ("large store: peak RSS of that replay", (M, "large_replay_rss"), "MB", "≤ 100", lambda v: v <= 100, []),
    ("large store: peak RSS of `state --all --format json --no-snapshots`", (M, "large_output_rss"), "MB", "", None, []),
    ("large store: built once by one append", (M, "large_append_once"), "ev/s", "", None, []),
]

n = len(rounds)
print(f"Medians of {n} round(s); a ratio is the median of the ratios measured within each round.\n")
print("| measurement | meetlog | unit | target | met | compared with | peer | meetlog / peer |")
print("|---|---:|---|---|---|---|---:|---:|")
for label, key, unit, target, ok, peers in rows:
    v = median(key)
    if v is None:
        continue
    met = []
    if ok is not None:
        met.append(ok(v))
    comparisons = []
    for plabel, pkey, need in peers:
        p, r = median(pkey), ratio(key, pkey)
        if p is None:
            continue
        if need is not None and r is not None:
            met.append(r >= need)
        comparisons.append((plabel, p, r, need))
    verdict = "–" if not met else ("yes" if all(met) else "**no**")
    first = comparisons[0] if comparisons else ("", None, None, None)
    cell = lambda c: (c[0], fmt(c[1], unit), "" if c[2] is None else f"{c[2]:.2f}×" + (f" (≥ {c[3]}×)" if c[3] else ""))
    a, b, c = cell(first)
    print(f"| {label} | {fmt(v, unit)} | {unit} | {target} | {verdict} | {a} | {b} | {c} |")
    for extra in comparisons[1:]:
        a, b, c = cell(extra)
        print(f"| | | | | | {a} | {b} | {c} |")

LAYOUTS = [("the kit's table", "kit_floor"), ("+ hashes and an id index", "ids_and_hashes"),
           ("+ an occurrence index", "plus_time_index"), ("+ a commits row", "plus_commits"),
           ("+ names (meetlog's five B-trees)", "meetlog_layout")]
if median(("floor_single", "kit_floor")) is not None:
    print("\nDurable single append, the store's layout alone (tools/floor-single.c: C, no parsing, "
          "one durable transaction per event, 20,000 events; ratios to its own run of the kit's table):\n")
    print("| B-trees written per commit | ev/s | / the kit's table |")
    print("|---|---:|---:|")
    for label, name in LAYOUTS:
        key = ("floor_single", name)
        r = ratio(key, ("floor_single", "kit_floor"))
        print(f"| {label} | {fmt(median(key))} | {'–' if r is None else f'{r:.2f}×'} |")

print("\nPer-round samples:\n")
for key in sorted({k for r in rounds.values() for k in r}):
    print(f"- {key[0]} {key[1]}: " + ", ".join(fmt(v, units.get(key, "")) for v in values(key)) + f" {units.get(key, '')}")
