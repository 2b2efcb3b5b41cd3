#!/usr/bin/env bash
# wm against the PyTorch peer (../shared/peers/gns_torch.py) at equal thread counts, in alternating rounds.
#
# Each round runs `wm bench step --config gns-peer --threads T --json` (the code users run), then the peer's
# own GNS model, imported at run time from $PEERS_DIR (nothing of it is copied here), with
# torch.set_num_threads(T): one step at batch 1 (N objects, all pairs, the preset's M) and the 256-graph planner
# batch (sparse PyG-style and dense). N, M and the batch size are read from wm's JSON so both sides measure the
# same case. With --measure train (or both), each round also times the trainer's step: `wm bench train
# --config gns-peer --threads T --json` (wm train's own loop: a minibatch of the preset's batch of graphs, graph
# building, forward, MSE, backward, global-norm clipping, Adam; on T data-parallel threads, as `wm train --threads
# T`, OpenBLAS on one each) against the same on the
# peer's model (forward on the same batch of all-pairs graphs, MSE, backward, clip_grad_norm_, Adam), as
# optimisation steps per second. At the end: per-round numbers, then medians and [min, max] ranges of each side and of the ratios
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
usage: tools/bench-vs-pytorch.sh [--rounds R] [--threads T] [--repeats K] [--measure step|train|both]
                                [--precision P] [--peer-precision P] [--json]

Measures wm's learned step (`wm bench step --config gns-peer`) against the PyTorch peer
(gns_torch.py, imported from $PEERS_DIR) at the SAME thread count T on both sides, in R
alternating rounds (wm, then torch, R times), and prints each round, the medians and
[min, max] ranges of both sides and of the ratios, and a JSON summary line.

  --rounds R    rounds (default 5)
  --threads T   threads on both sides: wm --threads T (OpenBLAS on one, as wm's bench
                sets it), torch.set_num_threads(T) (default 2)
  --repeats K   wm bench's --repeats (default: wm's own, 7)
  --measure M   step (default): the learned step at batch 1 and the 256-graph batch;
                train: the trainer's optimisation step (steps/s at the preset's batch);
                both: each round measures both
  --precision P float32 or bfloat16: the inference products' precision on BOTH sides
                (default float32): wm bench step --precision P; the peer's step inside
                torch.autocast("cpu", dtype=torch.bfloat16) for bfloat16 (oneDNN, AMX
                where the CPU has it). Training is float32 on both sides either way.
  --peer-precision P  the peer's precision alone (default: --precision's), e.g. wm
                in bfloat16 against the peer as it is written (float32)
  --json        print only the JSON summary
  -h, --help    this help

Measured: batch-1 ms per step (wm: graph build + network + integration; torch: the
peer's GNS.step, edge features + forward + Euler) and graph-steps/s of the 256-graph
planner batch (torch: sparse and dense variants). Ratios: torch ms / wm ms (batch 1)
and wm / torch graph-steps/s (batch); above 1 means wm is faster.
Training (--measure train): optimisation steps per second, wm's `wm train` loop
(`wm bench train --config gns-peer`: minibatch draw with noise, graph building,
forward, MSE, backward, clipping, Adam; T data-parallel threads) against the peer's
model trained on the same batch of all-pairs graphs (forward, MSE, backward,
clip_grad_norm_, Adam); ratio wm / torch steps/s.

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
measure=step
precision=float32
peer_precision=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) [ $# -ge 2 ] || die "--rounds needs a value"; rounds="$2"; shift 2 ;;
    --rounds=*) rounds="${1#*=}"; shift ;;
    --threads) [ $# -ge 2 ] || die "--threads needs a value"; threads="$2"; shift 2 ;;
    --threads=*) threads="${1#*=}"; shift ;;
    --repeats) [ $# -ge 2 ] || die "--repeats needs a value"; repeats="$2"; shift 2 ;;
    --repeats=*) repeats="${1#*=}"; shift ;;
    --measure) [ $# -ge 2 ] || die "--measure needs a value"; measure="$2"; shift 2 ;;
    --measure=*) measure="${1#*=}"; shift ;;
    --precision) [ $# -ge 2 ] || die "--precision needs a value"; precision="$2"; shift 2 ;;
    --precision=*) precision="${1#*=}"; shift ;;
    --peer-precision) [ $# -ge 2 ] || die "--peer-precision needs a value"; peer_precision="$2"; shift 2 ;;
    --peer-precision=*) peer_precision="${1#*=}"; shift ;;
    --json) json_only=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
case "$rounds" in ''|*[!0-9]*) die "--rounds must be a positive integer, got '$rounds'" ;; esac
case "$threads" in ''|*[!0-9]*) die "--threads must be a positive integer, got '$threads'" ;; esac
[ "$rounds" -ge 1 ] || die "--rounds must be at least 1"
case "$measure" in step|train|both) ;; *) die "--measure takes step, train or both, got '$measure'" ;; esac
peer_precision="${peer_precision:-$precision}"
for p in "$precision" "$peer_precision"; do
  case "$p" in float32|bfloat16) ;; *) die "--precision and --peer-precision take float32 or bfloat16, got '$p'" ;; esac
done
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
           "batch": r["batch"], "threads": r["threads"],
           "wall_s": w1 - w0, "own_cores": own / (w1 - w0), "other_load": (b1 - b0 - own) / (w1 - w0)}
    if r.get("kind") == "train":
        out.update({"side": "wm-train", "train_steps_per_s": r["steps_per_second"]["median"],
                    "train_ms": r["ms_per_step"]["median"], "nodes_per_graph": r["nodes_per_graph"],
                    "edges_per_graph": r["edges_per_graph"]})
    else:
        out.update({"batch1_ms": r["step_ms_batch1"], "batch_graph_steps_per_s": r["batch_graph_steps_per_second"],
                    "product_flops_per_graph_step": r.get("product_flops_per_graph_step"),
                    "sgemm_limit_gflops": r.get("sgemm_limit_gflops"),
                    "batch_fraction_of_sgemm_limit": r.get("batch_fraction_of_sgemm_limit"),
                    "precision": r.get("inference_precision", "float32"), "product_kernel": r.get("product_kernel")})
    print(json.dumps(out))

def stats(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}

def fmt(s, d):
    return f"{s['median']:.{d}f} [{s['min']:.{d}f}, {s['max']:.{d}f}]"

def summarise(path, threads, json_only):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    wm = {r["round"]: r for r in rows if r["side"] == "wm"}
    wt = {r["round"]: r for r in rows if r["side"] == "wm-train"}
    pt = {r["round"]: r for r in rows if r["side"] == "torch"}
    steps, trains = bool(wm), bool(wt)
    rnds = sorted(set(pt) & (set(wm) if steps else set(pt)) & (set(wt) if trains else set(pt)))
    w0 = wm[rnds[0]] if steps else wt[rnds[0]]
    t0 = pt[rnds[0]]
    per = []
    for i in rnds:
        t = pt[i]
        p = {"round": i}
        if steps:
            w = wm[i]
            p.update({"wm_batch1_ms": w["batch1_ms"], "torch_batch1_ms": t["batch1_ms"],
                      "ratio_batch1_torch_ms_over_wm_ms": t["batch1_ms"] / w["batch1_ms"],
                      "wm_batch_graph_steps_per_s": w["batch_graph_steps_per_s"],
                      "torch_sparse_batch_graph_steps_per_s": t["sparse_graph_steps_per_s"],
                      "torch_dense_batch_graph_steps_per_s": t["dense_graph_steps_per_s"],
                      "ratio_batch_wm_over_torch_sparse": w["batch_graph_steps_per_s"] / t["sparse_graph_steps_per_s"],
                      "ratio_batch_wm_over_torch_dense": w["batch_graph_steps_per_s"] / t["dense_graph_steps_per_s"],
                      "ratio_batch_wm_over_torch_best": w["batch_graph_steps_per_s"]
                          / max(t["sparse_graph_steps_per_s"], t["dense_graph_steps_per_s"]),
                      "wm_other_load": w["other_load"], "wm_own_cores": w["own_cores"]})
            if w.get("batch_fraction_of_sgemm_limit") is not None:
                p.update({"wm_batch_fraction_of_sgemm_limit": w["batch_fraction_of_sgemm_limit"],
                          "wm_sgemm_limit_gflops": w["sgemm_limit_gflops"],
                          "wm_product_mflops_per_graph_step": w["product_flops_per_graph_step"] / 1e6})
        if trains:
            w = wt[i]
            p.update({"wm_train_steps_per_s": w["train_steps_per_s"], "torch_train_steps_per_s": t["train_steps_per_s"],
                      "ratio_train_wm_over_torch": w["train_steps_per_s"] / t["train_steps_per_s"],
                      "wm_train_other_load": w["other_load"], "wm_train_own_cores": w["own_cores"]})
        p.update({"torch_other_load": t["other_load"], "torch_own_cores": t["own_cores"]})
        per.append(p)
    keys = [k for k in per[0] if k != "round"]
    summary = {k: stats([p[k] for p in per]) for k in keys}
    wkeys = ("objects", "m", "latent", "all_pairs", "parameters", "batch", "threads")
    tkeys = ("version", "precision", "n", "m", "latent", "edges_per_graph", "parameters", "batch", "threads", "interop_threads")
    setup = {"threads": threads, "rounds": len(rnds), "order": "alternating: wm then torch each round",
             "torch": {k: t0[k] for k in tkeys + (("train_batch",) if trains else ())}}
    if steps:
        setup["wm"] = {k: w0[k] for k in wkeys + ("precision", "product_kernel")}
    if trains:
        w1 = wt[rnds[0]]
        setup["wm_train"] = {k: w1[k] for k in wkeys + ("nodes_per_graph", "edges_per_graph")}
    result = {"kind": "bench-vs-pytorch", "setup": setup, "summary": summary, "rounds": per}
    if json_only:
        print(json.dumps(result, sort_keys=True))
        return
    print(f"\nsummary over {len(rnds)} alternating rounds, {threads} thread(s) on BOTH sides "
          f"(wm --threads {w0['threads']}, torch.get_num_threads()={t0['threads']}); median [min, max]")
    if steps:
        print(f"  inference precision: wm {w0['precision']} ({w0['product_kernel']}), torch {t0['precision']}")
    s = summary
    if steps:
        print(f"  batch-1 step, ms:              wm {fmt(s['wm_batch1_ms'], 3)}   torch {fmt(s['torch_batch1_ms'], 3)}")
        print(f"    ratio torch ms / wm ms:      {fmt(s['ratio_batch1_torch_ms_over_wm_ms'], 2)}  (> 1: wm faster)")
        print(f"  batch of {w0['batch']}, graph-steps/s:  wm {fmt(s['wm_batch_graph_steps_per_s'], 0)}")
        print(f"                                 torch sparse {fmt(s['torch_sparse_batch_graph_steps_per_s'], 0)}"
              f"   torch dense {fmt(s['torch_dense_batch_graph_steps_per_s'], 0)}")
        print(f"    ratio wm / torch sparse:     {fmt(s['ratio_batch_wm_over_torch_sparse'], 2)}  (> 1: wm faster)")
        print(f"    ratio wm / torch dense:      {fmt(s['ratio_batch_wm_over_torch_dense'], 2)}")
        print(f"    ratio wm / best torch:       {fmt(s['ratio_batch_wm_over_torch_best'], 2)}")
        if "wm_batch_fraction_of_sgemm_limit" in s:
            print(f"    wm's products: {fmt(s['wm_product_mflops_per_graph_step'], 1)} MFLOP a graph-step, "
                  f"{fmt(s['wm_batch_fraction_of_sgemm_limit'], 2)} of sgemm's 2048^3 speed on {threads} threads "
                  f"({fmt(s['wm_sgemm_limit_gflops'], 0)} GFLOP/s, best of 5 in each wm round)")
        print(f"  other processes' load, cores:  during wm {fmt(s['wm_other_load'], 2)}   during torch {fmt(s['torch_other_load'], 2)}"
              f"  (of {os.cpu_count()}; well above 0 = contaminated)")
        print(f"  own CPU, cores (CPU s / wall s): wm {fmt(s['wm_own_cores'], 2)}   torch {fmt(s['torch_own_cores'], 2)}"
              f"  (well below {threads} = starved of CPU)")
    if trains:
        w1 = wt[rnds[0]]
        print(f"  training, optimisation steps/s (batch of {w1['batch']} graphs; wm {w1['nodes_per_graph']} nodes and "
              f"{w1['edges_per_graph']:.0f} edges a graph, torch {t0['n']} and {t0['edges_per_graph']}):")
        print(f"                                 wm {fmt(s['wm_train_steps_per_s'], 1)}   torch {fmt(s['torch_train_steps_per_s'], 1)}")
        print(f"    ratio wm / torch:            {fmt(s['ratio_train_wm_over_torch'], 2)}  (> 1: wm faster)")
        print(f"  other processes' load, cores:  during wm train {fmt(s['wm_train_other_load'], 2)}   during torch {fmt(s['torch_other_load'], 2)}")
        print(f"  own CPU, cores:                wm train {fmt(s['wm_train_own_cores'], 2)}   torch {fmt(s['torch_own_cores'], 2)}")
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
measure, train_batch, precision = sys.argv[7], int(sys.argv[8]), sys.argv[9]
sys.path.insert(0, peers_dir)
import torch
import gns_torch as g

torch.set_num_threads(threads)
torch.manual_seed(0)
b0, o0, w0 = *g.cpu_busy(), time.perf_counter()
mdl = g.GNS(m).eval()
snd, rcv = g.all_pairs(n)
out = {}
import contextlib
def inference_precision():
    # bfloat16: PyTorch's own mixed precision on the CPU (oneDNN kernels; AMX where the CPU has it).
    return torch.autocast("cpu", dtype=torch.bfloat16) if precision == "bfloat16" else contextlib.nullcontext()
if measure in ("step", "both"):
    with torch.inference_mode(), inference_precision():
        feat, pos, vel = g.make_inputs(n)
        t1, t1min = g.time_fn(lambda: mdl.step(feat, pos, vel, snd, rcv))
        # The planner batch, as the peer's run() builds it: `batch` graphs of n objects, all pairs.
        featb, posb, velb = g.make_inputs(n, batch)
        sndb, rcvb = g.all_pairs(n, batch)
        featd, posd, veld = (t.view(batch, n, -1) for t in (featb, posb, velb))
        mask = (1.0 - torch.eye(n)).view(1, n, n, 1)
        ts, tsmin = g.time_fn(lambda: mdl.step(featb, posb, velb, sndb, rcvb), min_time=2.0, min_iters=10)
        td, tdmin = g.time_fn(lambda: mdl.step_dense(featd, posd, veld, mask), min_time=2.0, min_iters=10)
    out.update({"batch1_ms": t1, "batch1_min_ms": t1min,
                "sparse_graph_steps_per_s": batch / ts * 1e3, "dense_graph_steps_per_s": batch / td * 1e3})
if measure in ("train", "both"):
    # One optimisation step on the peer's model, as wm's trainer does one: forward on a minibatch of
    # `train_batch` all-pairs graphs (PyG-packed, edge features from positions and velocities), MSE against
    # targets, backward, global-norm clipping at 1 (wm's default), Adam.
    trainee = g.GNS(m).train()
    featt, post, velt = g.make_inputs(n, train_batch)
    sndt, rcvt = g.all_pairs(n, train_batch)
    target = torch.randn(train_batch * n, 3, generator=torch.Generator().manual_seed(1))
    opt = torch.optim.Adam(trainee.parameters(), lr=1e-4)
    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(trainee(featt, post, velt, sndt, rcvt), target)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainee.parameters(), 1.0)
        opt.step()
    tt, ttmin = g.time_fn(train_step, min_time=3.0, min_iters=20)
    out.update({"train_batch": train_batch, "train_ms": tt, "train_min_ms": ttmin, "train_steps_per_s": 1e3 / tt})
b1, o1, w1 = *g.cpu_busy(), time.perf_counter()
out.update({"round": rnd, "side": "torch", "precision": precision, "version": torch.__version__, "n": n, "m": m, "latent": g.LATENT,
            "edges_per_graph": int(snd.numel()), "parameters": g.n_params(mdl), "batch": batch,
            "threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads(),
            "wall_s": w1 - w0, "own_cores": (o1 - o0) / (w1 - w0), "other_load": (b1 - b0 - (o1 - o0)) / (w1 - w0)})
print(json.dumps(out))
PY

wm_cmd=("$wm" bench step --config gns-peer --threads "$threads" --precision "$precision" --json)
wm_train_cmd=("$wm" bench train --config gns-peer --threads "$threads" --json)
if [ -n "$repeats" ]; then wm_cmd+=(--repeats "$repeats"); wm_train_cmd+=(--repeats "$repeats"); fi
steps=0; trains=0
case "$measure" in step) steps=1 ;; train) trains=1 ;; both) steps=1; trains=1 ;; esac

log() { if [ "$json_only" -eq 0 ]; then echo "$@"; fi; }

log "wm vs PyTorch peer: $rounds alternating rounds (wm, then torch), $threads thread(s) on both sides"
if [ "$steps" -eq 1 ]; then log "  wm:    ${wm_cmd[*]}  (cwd $repo; OpenBLAS on one thread, as wm's bench sets it)"; fi
if [ "$trains" -eq 1 ]; then log "  wm:    ${wm_train_cmd[*]}  (cwd $repo; $threads data-parallel thread(s) as wm train --threads $threads, OpenBLAS on one each)"; fi
log "  torch: $venv/bin/python, gns_torch imported from $peers_dir, torch.set_num_threads($threads)"
log "  inference precision: wm $precision, torch $peer_precision (training: float32 on both sides)"

wm_stamp() { cksum < "$wm"; }
wm_sum="$(wm_stamp)"
log "  wm binary checksum (cksum): ${wm_sum%% *}; a rebuild during the run is reported"

n="" m="" batch=256 train_batch=32
for ((r = 1; r <= rounds; r++)); do
  first=""
  if [ "$steps" -eq 1 ]; then
    say "round $r/$rounds: wm step"
    OPENBLAS_NUM_THREADS=1 python3 "$tmp/helper.py" run-wm "$r" "$repo" "${wm_cmd[@]}" > "$tmp/wm.json"
    cat "$tmp/wm.json" >> "$data"
    first="$tmp/wm.json"
  fi
  if [ "$trains" -eq 1 ]; then
    say "round $r/$rounds: wm train"
    OPENBLAS_NUM_THREADS=1 python3 "$tmp/helper.py" run-wm "$r" "$repo" "${wm_train_cmd[@]}" > "$tmp/wmt.json"
    cat "$tmp/wmt.json" >> "$data"
    first="${first:-$tmp/wmt.json}"
  fi
  [ "$(wm_stamp)" = "$wm_sum" ] || say "warning: $wm changed during round $r (rebuilt?): rounds mix binaries"
  if [ -z "$n" ]; then
    read -r n m wbatch latent pairs params wthreads < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["objects"], r["m"], r["batch"], r["latent"], r["all_pairs"], r["parameters"], r["threads"])' "$first")
    if [ "$steps" -eq 1 ]; then batch="$wbatch"; fi
    if [ "$trains" -eq 1 ]; then train_batch="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["batch"])' "$tmp/wmt.json")"; fi
    log "  wm preset gns-peer: N = $n objects, M = $m, latent $latent, all pairs $pairs, $params parameters, batch $batch (training: $train_batch), threads $wthreads"
    [ "$wthreads" = "$threads" ] || die "wm reports $wthreads threads, asked for $threads"
    [ "$pairs" = "True" ] || say "warning: wm's preset is not all-pairs; the peer is"
    log ""
    if [ "$steps" -eq 1 ]; then
      log "$(printf '%5s %12s %12s %8s %12s %13s %13s %8s %7s %7s %6s %6s' round 'wm ms' 'torch ms' 't/w' 'wm g-st/s' 'torch sparse' 'torch dense' 'w/t sp' 'load wm' 'load t' 'own wm' 'own t')"
    fi
    if [ "$trains" -eq 1 ]; then
      log "$(printf '%5s %14s %14s %8s %9s %7s %9s %6s' round 'wm train st/s' 'torch st/s' 'w/t' 'load wm t' 'load t' 'own wm t' 'own t')"
    fi
  fi
  say "round $r/$rounds: torch"
  OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" OPENBLAS_NUM_THREADS="$threads" \
    "$venv/bin/python" "$tmp/peer.py" "$peers_dir" "$threads" "$n" "$m" "$batch" "$r" "$measure" "$train_batch" "$peer_precision" > "$tmp/torch.json" \
    || die "the peer failed in round $r"
  cat "$tmp/torch.json" >> "$data"
  if [ "$json_only" -eq 0 ]; then
    [ "$steps" -eq 1 ] || cp "$tmp/wmt.json" "$tmp/wm.json"
    [ "$trains" -eq 1 ] || cp "$tmp/wm.json" "$tmp/wmt.json"
    python3 - "$tmp/wm.json" "$tmp/wmt.json" "$tmp/torch.json" "$steps" "$trains" <<'PY'
import json, sys
w, wt, t = (json.load(open(p)) for p in sys.argv[1:4])
steps, trains = sys.argv[4] == "1", sys.argv[5] == "1"
if steps:
    print(f"{w['round']:>5} {w['batch1_ms']:>12.3f} {t['batch1_ms']:>12.3f} {t['batch1_ms'] / w['batch1_ms']:>8.2f} "
          f"{w['batch_graph_steps_per_s']:>12.0f} {t['sparse_graph_steps_per_s']:>13.0f} {t['dense_graph_steps_per_s']:>13.0f} "
          f"{w['batch_graph_steps_per_s'] / t['sparse_graph_steps_per_s']:>8.2f} {w['other_load']:>7.2f} {t['other_load']:>7.2f} "
          f"{w['own_cores']:>6.2f} {t['own_cores']:>6.2f}")
if trains:
    print(f"{wt['round']:>5} {wt['train_steps_per_s']:>14.1f} {t['train_steps_per_s']:>14.1f} "
          f"{wt['train_steps_per_s'] / t['train_steps_per_s']:>8.2f} {wt['other_load']:>9.2f} {t['other_load']:>7.2f} "
          f"{wt['own_cores']:>9.2f} {t['own_cores']:>6.2f}")
if t["round"] == 1:
    print(f"      (torch {t['version']}: N = {t['n']}, M = {t['m']}, latent {t['latent']}, {t['edges_per_graph']} edges/graph, "
          f"{t['parameters']} parameters, batch {t['batch']}, torch.get_num_threads()={t['threads']}, "
          f"interop {t['interop_threads']}; wm's graph has the robot node too)")
PY
  fi
done

python3 "$tmp/helper.py" summarise "$data" "$threads" "$json_only"
