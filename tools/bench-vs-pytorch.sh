#!/usr/bin/env bash
# wm against the PyTorch peer (../shared/peers/gns_torch.py) at equal thread counts, in alternating rounds.
#
# Each round runs `wm bench step --config gns-peer --threads T --json` (the code users run), then the peer's
# own GNS model, imported at run time from $PEERS_DIR (nothing of it is copied here), with
# torch.set_num_threads(T): one step at batch 1 (N objects, all pairs, the preset's M) and the 256-graph planner
# batch (sparse PyG-style and dense). N, M and the batch size are read from wm's JSON so both sides measure the
# same case. At the end: per-round numbers, then medians and [min, max] ranges of each side and of the ratios
# (torch ms / wm ms at batch 1: > 1 means wm is faster; wm / torch graph-steps/s at the batch: > 1 means wm is
# faster), and a one-line JSON summary. Each side's "other load" is the CPU (in cores) that OTHER processes used
# while it ran (from /proc/stat): timings are contaminated when it is well above 0; "own" is its CPU seconds over
# wall seconds (well below T = starved of CPU).
#
# Environment: WM (default <repo>/.build/release/wm), PEERS_DIR (default <repo>/../shared/peers),
# PEERS_VENV (default /tmp/peers; created with `pip install torch numpy` if missing, never inside the repo).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: tools/bench-vs-pytorch.sh [--rounds R] [--threads T] [--repeats K] [--json]

Measures wm's learned step (`wm bench step --config gns-peer`) against the PyTorch peer
(gns_torch.py, imported from $PEERS_DIR) at the SAME thread count T on both sides, in R
alternating rounds (wm, then torch, R times), and prints each round, the medians and
[min, max] ranges of both sides and of the ratios, and a JSON summary line.

  --rounds R    rounds (default 5)
  --threads T   threads on both sides: wm --threads T (OpenBLAS on one, as wm's bench
                sets it), torch.set_num_threads(T) (default 2)
  --repeats K   wm bench's --repeats (default: wm's own, 7)
  --json        print only the JSON summary
  -h, --help    this help

Measured: batch-1 ms per step (wm: graph build + network + integration; torch: the
peer's GNS.step, edge features + forward + Euler) and graph-steps/s of the 256-graph
planner batch (torch: sparse and dense variants). Ratios: torch ms / wm ms (batch 1)
and wm / torch graph-steps/s (batch); above 1 means wm is faster.

Environment: WM=path/to/wm (default <repo>/.build/release/wm),
PEERS_DIR (default <repo>/../shared/peers), PEERS_VENV (default /tmp/peers; created
with `python3 -m venv` and `pip install torch numpy` if missing, about 3 GB).
EOF
}

die() { echo "bench-vs-pytorch: $*" >&2; exit 1; }
say() { echo "bench-vs-pytorch: $*" >&2; }

rounds=5
threads=2
repeats=""
json_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) [ $# -ge 2 ] || die "--rounds needs a value"; rounds="$2"; shift 2 ;;
    --rounds=*) rounds="${1#*=}"; shift ;;
    --threads) [ $# -ge 2 ] || die "--threads needs a value"; threads="$2"; shift 2 ;;
    --threads=*) threads="${1#*=}"; shift ;;
    --repeats) [ $# -ge 2 ] || die "--repeats needs a value"; repeats="$2"; shift 2 ;;
    --repeats=*) repeats="${1#*=}"; shift ;;
    --json) json_only=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
case "$rounds" in ''|*[!0-9]*) die "--rounds must be a positive integer, got '$rounds'" ;; esac
case "$threads" in ''|*[!0-9]*) die "--threads must be a positive integer, got '$threads'" ;; esac
[ "$rounds" -ge 1 ] || die "--rounds must be at least 1"
[ "$threads" -ge 1 ] || die "--threads must be at least 1"
if [ -n "$repeats" ]; then
  case "$repeats" in *[!0-9]*) die "--repeats must be a positive integer, got '$repeats'" ;; esac
  [ "$repeats" -ge 1 ] || die "--repeats must be at least 1"
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wm="${WM:-$repo/.build/release/wm}"
case "$wm" in /*) ;; *) wm="$PWD/$wm" ;; esac
peers_dir="${PEERS_DIR:-$repo/../shared/peers}"
venv="${PEERS_VENV:-/tmp/peers}"

command -v python3 >/dev/null 2>&1 || die "python3 not found on PATH"
[ -x "$wm" ] || die "wm binary not found or not executable at $wm (build it with 'swift build -c release' or set WM=...)"
[ -f "$peers_dir/gns_torch.py" ] || die "peer not found: $peers_dir/gns_torch.py (set PEERS_DIR=...)"
peers_dir="$(cd "$peers_dir" && pwd)"
case "$venv" in /*) ;; *) venv="$PWD/$venv" ;; esac
venv_abs="$(python3 -c 'import os, sys; print(os.path.realpath(sys.argv[1]))' "$venv")"
case "$venv_abs/" in "$repo"/*) die "PEERS_VENV ($venv_abs) must not be inside the project ($repo)" ;; esac

if [ ! -x "$venv/bin/python" ]; then
  say "creating the peer's virtualenv at $venv and installing torch numpy from PyPI (about 3 GB)"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" || die "could not create the virtualenv at $venv"
  "$venv/bin/pip" install --quiet torch numpy >&2 || die "pip install torch numpy failed in $venv"
fi
if ! "$venv/bin/python" -c 'import torch, numpy' >/dev/null 2>&1; then
  say "torch or numpy missing in $venv: installing them from PyPI (about 3 GB)"
  "$venv/bin/pip" install --quiet torch numpy >&2 || die "pip install torch numpy failed in $venv"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/bench-vs-pytorch.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
data="$tmp/rounds.jsonl"
: > "$data"

# --- helpers (system python3): run wm measuring other processes' CPU, and summarise.
cat > "$tmp/helper.py" <<'PY'
import json, os, resource, statistics, subprocess, sys, time

def busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")

def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def run_wm(rnd, cwd, cmd):
    b0, c0, w0 = busy(), children_cpu(), time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    b1, c1, w1 = busy(), children_cpu(), time.perf_counter()
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        sys.exit(f"bench-vs-pytorch: wm exited with {p.returncode}: {' '.join(cmd)}")
    text = p.stdout
    try:
        r = json.loads(text[text.index("{"):text.rindex("}") + 1])
    except ValueError:
        sys.stderr.write(text)
        sys.exit("bench-vs-pytorch: could not parse wm's JSON output")
    own = c1 - c0
    out = {"round": rnd, "side": "wm", "objects": r["objects"], "m": r["message_passing_steps"],
           "latent": r["latent_width"], "all_pairs": r["all_pairs"], "parameters": r["parameters"],
           "batch": r["batch"], "threads": r["threads"], "batch1_ms": r["step_ms_batch1"],
           "batch_graph_steps_per_s": r["batch_graph_steps_per_second"],
           "wall_s": w1 - w0, "own_cores": own / (w1 - w0), "other_load": (b1 - b0 - own) / (w1 - w0)}
    print(json.dumps(out))

def stats(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}

def fmt(s, d):
    return f"{s['median']:.{d}f} [{s['min']:.{d}f}, {s['max']:.{d}f}]"

def summarise(path, threads, json_only):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    wm = {r["round"]: r for r in rows if r["side"] == "wm"}
    pt = {r["round"]: r for r in rows if r["side"] == "torch"}
    rnds = sorted(set(wm) & set(pt))
    w0, t0 = wm[rnds[0]], pt[rnds[0]]
    per = []
    for i in rnds:
        w, t = wm[i], pt[i]
        per.append({"round": i,
                    "wm_batch1_ms": w["batch1_ms"], "torch_batch1_ms": t["batch1_ms"],
                    "ratio_batch1_torch_ms_over_wm_ms": t["batch1_ms"] / w["batch1_ms"],
                    "wm_batch_graph_steps_per_s": w["batch_graph_steps_per_s"],
                    "torch_sparse_batch_graph_steps_per_s": t["sparse_graph_steps_per_s"],
                    "torch_dense_batch_graph_steps_per_s": t["dense_graph_steps_per_s"],
                    "ratio_batch_wm_over_torch_sparse": w["batch_graph_steps_per_s"] / t["sparse_graph_steps_per_s"],
                    "ratio_batch_wm_over_torch_dense": w["batch_graph_steps_per_s"] / t["dense_graph_steps_per_s"],
                    "ratio_batch_wm_over_torch_best": w["batch_graph_steps_per_s"]
                        / max(t["sparse_graph_steps_per_s"], t["dense_graph_steps_per_s"]),
                    "wm_other_load": w["other_load"], "torch_other_load": t["other_load"],
                    "wm_own_cores": w["own_cores"], "torch_own_cores": t["own_cores"]})
    keys = [k for k in per[0] if k != "round"]
    summary = {k: stats([p[k] for p in per]) for k in keys}
    setup = {"threads": threads, "rounds": len(rnds), "order": "alternating: wm then torch each round",
             "wm": {k: w0[k] for k in ("objects", "m", "latent", "all_pairs", "parameters", "batch", "threads")},
             "torch": {k: t0[k] for k in ("version", "n", "m", "latent", "edges_per_graph", "parameters", "batch",
                                          "threads", "interop_threads")}}
    result = {"kind": "bench-vs-pytorch", "setup": setup, "summary": summary, "rounds": per}
    if json_only:
        print(json.dumps(result, sort_keys=True))
        return
    print(f"\nsummary over {len(rnds)} alternating rounds, {threads} thread(s) on BOTH sides "
          f"(wm --threads {w0['threads']}, torch.get_num_threads()={t0['threads']}); median [min, max]")
    s = summary
    print(f"  batch-1 step, ms:              wm {fmt(s['wm_batch1_ms'], 3)}   torch {fmt(s['torch_batch1_ms'], 3)}")
    print(f"    ratio torch ms / wm ms:      {fmt(s['ratio_batch1_torch_ms_over_wm_ms'], 2)}  (> 1: wm faster)")
    print(f"  batch of {w0['batch']}, graph-steps/s:  wm {fmt(s['wm_batch_graph_steps_per_s'], 0)}")
    print(f"                                 torch sparse {fmt(s['torch_sparse_batch_graph_steps_per_s'], 0)}"
          f"   torch dense {fmt(s['torch_dense_batch_graph_steps_per_s'], 0)}")
    print(f"    ratio wm / torch sparse:     {fmt(s['ratio_batch_wm_over_torch_sparse'], 2)}  (> 1: wm faster)")
    print(f"    ratio wm / torch dense:      {fmt(s['ratio_batch_wm_over_torch_dense'], 2)}")
    print(f"    ratio wm / best torch:       {fmt(s['ratio_batch_wm_over_torch_best'], 2)}")
    print(f"  other processes' load, cores:  during wm {fmt(s['wm_other_load'], 2)}   during torch {fmt(s['torch_other_load'], 2)}"
          f"  (of {os.cpu_count()}; well above 0 = contaminated)")
    print(f"  own CPU, cores (CPU s / wall s): wm {fmt(s['wm_own_cores'], 2)}   torch {fmt(s['torch_own_cores'], 2)}"
          f"  (well below {threads} = starved of CPU)")
    print("JSON " + json.dumps(result, sort_keys=True))

if __name__ == "__main__":
    if sys.argv[1] == "run-wm":
        run_wm(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
    elif sys.argv[1] == "summarise":
        summarise(sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1")
PY

# --- the peer side (the venv's python): the peer's own GNS, imported from $PEERS_DIR.
cat > "$tmp/peer.py" <<'PY'
import json, os, sys, time
peers_dir, threads, n, m, batch, rnd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
sys.path.insert(0, peers_dir)
import torch
import gns_torch as g

torch.set_num_threads(threads)
torch.manual_seed(0)
b0, o0, w0 = *g.cpu_busy(), time.perf_counter()
mdl = g.GNS(m).eval()
with torch.inference_mode():
    feat, pos, vel = g.make_inputs(n)
    snd, rcv = g.all_pairs(n)
    t1, t1min = g.time_fn(lambda: mdl.step(feat, pos, vel, snd, rcv))
    # The planner batch, as the peer's run() builds it: `batch` graphs of n objects, all pairs.
    featb, posb, velb = g.make_inputs(n, batch)
    sndb, rcvb = g.all_pairs(n, batch)
    featd, posd, veld = (t.view(batch, n, -1) for t in (featb, posb, velb))
    mask = (1.0 - torch.eye(n)).view(1, n, n, 1)
    ts, tsmin = g.time_fn(lambda: mdl.step(featb, posb, velb, sndb, rcvb), min_time=2.0, min_iters=10)
    td, tdmin = g.time_fn(lambda: mdl.step_dense(featd, posd, veld, mask), min_time=2.0, min_iters=10)
b1, o1, w1 = *g.cpu_busy(), time.perf_counter()
print(json.dumps({"round": rnd, "side": "torch", "version": torch.__version__, "n": n, "m": m, "latent": g.LATENT,
                  "edges_per_graph": int(snd.numel()), "parameters": g.n_params(mdl), "batch": batch,
                  "threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads(),
                  "batch1_ms": t1, "batch1_min_ms": t1min,
                  "sparse_graph_steps_per_s": batch / ts * 1e3, "dense_graph_steps_per_s": batch / td * 1e3,
                  "wall_s": w1 - w0, "own_cores": (o1 - o0) / (w1 - w0),
                  "other_load": (b1 - b0 - (o1 - o0)) / (w1 - w0)}))
PY

wm_cmd=("$wm" bench step --config gns-peer --threads "$threads" --json)
if [ -n "$repeats" ]; then wm_cmd+=(--repeats "$repeats"); fi

log() { if [ "$json_only" -eq 0 ]; then echo "$@"; fi; }

log "wm vs PyTorch peer: $rounds alternating rounds (wm, then torch), $threads thread(s) on both sides"
log "  wm:    ${wm_cmd[*]}  (cwd $repo; OpenBLAS on one thread, as wm's bench sets it)"
log "  torch: $venv/bin/python, gns_torch imported from $peers_dir, torch.set_num_threads($threads)"

wm_stamp() { cksum < "$wm"; }
wm_sum="$(wm_stamp)"
log "  wm binary checksum (cksum): ${wm_sum%% *}; a rebuild during the run is reported"

n="" m="" batch=""
for ((r = 1; r <= rounds; r++)); do
  say "round $r/$rounds: wm"
  OPENBLAS_NUM_THREADS=1 python3 "$tmp/helper.py" run-wm "$r" "$repo" "${wm_cmd[@]}" > "$tmp/wm.json"
  cat "$tmp/wm.json" >> "$data"
  [ "$(wm_stamp)" = "$wm_sum" ] || say "warning: $wm changed during round $r (rebuilt?): rounds mix binaries"
  if [ -z "$n" ]; then
    read -r n m batch latent pairs params wthreads < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["objects"], r["m"], r["batch"], r["latent"], r["all_pairs"], r["parameters"], r["threads"])' "$tmp/wm.json")
    log "  wm preset gns-peer: N = $n objects, M = $m, latent $latent, all pairs $pairs, $params parameters, batch $batch, threads $wthreads"
    [ "$wthreads" = "$threads" ] || die "wm reports $wthreads threads, asked for $threads"
    [ "$pairs" = "True" ] || say "warning: wm's preset is not all-pairs; the peer is"
    log ""
    log "$(printf '%5s %12s %12s %8s %12s %13s %13s %8s %7s %7s %6s %6s' round 'wm ms' 'torch ms' 't/w' 'wm g-st/s' 'torch sparse' 'torch dense' 'w/t sp' 'load wm' 'load t' 'own wm' 'own t')"
  fi
  say "round $r/$rounds: torch"
  OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" \
    "$venv/bin/python" "$tmp/peer.py" "$peers_dir" "$threads" "$n" "$m" "$batch" "$r" > "$tmp/torch.json" \
    || die "the peer failed in round $r"
  cat "$tmp/torch.json" >> "$data"
  if [ "$json_only" -eq 0 ]; then
    python3 - "$tmp/wm.json" "$tmp/torch.json" <<'PY'
import json, sys
w, t = (json.load(open(p)) for p in sys.argv[1:3])
print(f"{w['round']:>5} {w['batch1_ms']:>12.3f} {t['batch1_ms']:>12.3f} {t['batch1_ms'] / w['batch1_ms']:>8.2f} "
      f"{w['batch_graph_steps_per_s']:>12.0f} {t['sparse_graph_steps_per_s']:>13.0f} {t['dense_graph_steps_per_s']:>13.0f} "
      f"{w['batch_graph_steps_per_s'] / t['sparse_graph_steps_per_s']:>8.2f} {w['other_load']:>7.2f} {t['other_load']:>7.2f} "
      f"{w['own_cores']:>6.2f} {t['own_cores']:>6.2f}")
if w["round"] == 1:
    print(f"      (torch {t['version']}: N = {t['n']}, M = {t['m']}, latent {t['latent']}, {t['edges_per_graph']} edges/graph, "
          f"{t['parameters']} parameters, batch {t['batch']}, torch.get_num_threads()={t['threads']}, "
          f"interop {t['interop_threads']}; wm's graph has the robot node too)")
PY
  fi
done

python3 "$tmp/helper.py" summarise "$data" "$threads" "$json_only"
