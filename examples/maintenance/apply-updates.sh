#!/bin/sh
# Maintenance task: installs pending Debian package updates. Needs root; says so clearly.
set -eu
if [ "$(id -u)" -ne 0 ]; then
  echo "apply-updates needs root (it runs apt-get upgrade); run vigild as root or drop this task" >&2
  exit 77
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
count=$(apt list --upgradable 2>/dev/null | grep -c upgradable || true)
apt-get -y -qq upgrade
echo "updates applied: $count"  # read by the health report (docs/tasks.md)
