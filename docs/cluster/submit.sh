#!/bin/bash
# The whole pipeline on Slurm: SHARD_COUNT generation tasks (an array job), then one MPI training job that
# starts when all of them succeeded. Prints the two job ids. Settings: as in generate.sbatch and train.sbatch,
# plus SHARD_COUNT (default 4) and RANKS (training tasks, default 2); anything after -- goes to both sbatch calls.
#   WM=$PWD/.build/release/wm SCENE=scenes/push.xml EPISODES=400 docs/cluster/submit.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SHARD_COUNT=${SHARD_COUNT:-4}
RANKS=${RANKS:-2}
[ "${1:-}" = -- ] && shift
generate=$(sbatch --parsable --array=0-$((SHARD_COUNT - 1)) "$@" "$here/generate.sbatch")
train=$(sbatch --parsable --dependency=afterok:"${generate%%;*}" --ntasks="$RANKS" "$@" "$here/train.sbatch")
echo "generate $generate train $train"
