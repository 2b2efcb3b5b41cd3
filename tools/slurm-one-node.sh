#!/usr/bin/env bash
# A one-node Slurm on this machine, for trying docs/cluster/*.sbatch and for their test: munged, slurmctld and
# slurmd (Debian's munge and slurm-wlm, which tools/setup.sh installs), configured in a folder of their own
# (no /etc/slurm change: clients find it through SLURM_CONF), one partition `debug` of this node's CPUs.
#   tools/slurm-one-node.sh start [DIR]   start (or reuse) it; prints `export SLURM_CONF=DIR/slurm.conf`
#   tools/slurm-one-node.sh stop [DIR]    stop the slurmctld and slurmd it started (munged stays: other users)
# DIR defaults to /tmp/wm-slurm. Needs root (the daemons run as root here).
set -euo pipefail
action=${1:-start}
dir=${2:-/tmp/wm-slurm}
conf="$dir/slurm.conf"

# SIGTERM, then SIGKILL after 10 s (a slurmd was seen to ignore SIGTERM after a PMIx step).
stop() {
  for d in slurmd slurmctld; do
    [ -f "$dir/$d.pid" ] || continue
    pid=$(cat "$dir/$d.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/$d.pid"
  done
}

if [ "$action" = stop ]; then stop; exit 0; fi
[ "$action" = start ] || { echo "usage: $0 start|stop [DIR]" >&2; exit 2; }
for tool in munged slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null || { echo "slurm-one-node: $tool not found (apt-get install slurm-wlm munge)" >&2; exit 1; }
done

# munge: the key the package made, its run folders, the daemon as user munge.
if ! munge -n >/dev/null 2>&1; then
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown -R munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge
  # Daemons get no stdout or stderr of ours: a caller reading our output to its end would wait for them forever.
  su -s /bin/sh munge -c 'munged </dev/null >/dev/null 2>&1'
  for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
fi

host=$(hostname -s)
cpus=$(nproc)
memory=$(awk '/MemTotal/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
mkdir -p "$dir/state" "$dir/spool" "$dir/log"
cat > "$conf.new" <<CONF
ClusterName=wm-one-node
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=6917
SlurmdPort=6918
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
ReturnToService=2
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
mv "$conf.new" "$conf"
export SLURM_CONF=$conf
if ! sinfo -h >/dev/null 2>&1; then
  stop
  slurmctld -f "$conf" </dev/null >/dev/null 2>&1
  slurmd -f "$conf" </dev/null >/dev/null 2>&1
  for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 0.1; done
fi
sinfo -h -o %T | grep -q -E "idle|mix|alloc" || { echo "slurm-one-node: the node did not come up; see $dir/log" >&2; exit 1; }
echo "export SLURM_CONF=$conf"
