#!/bin/sh
# Maintenance task: reports pending Debian package updates and, if APP_REPO names a git
# checkout, whether its upstream has new commits. Read-only; works without root.
set -u
if command -v apt >/dev/null 2>&1; then
  upgradable=$(apt list --upgradable 2>/dev/null | tail -n +2)
  count=$(printf '%s' "$upgradable" | grep -c . || true)
  echo "packages with updates: $count"
  printf '%s\n' "$upgradable" | head -n 8
  echo "updates found: $count"  # read by the health report (docs/tasks.md)
else
  echo "apt not found: skipping the package check"
fi
if [ -n "${APP_REPO:-}" ]; then
  if git -C "$APP_REPO" fetch --quiet 2>&1; then
    behind=$(git -C "$APP_REPO" rev-list --count 'HEAD..@{u}' 2>/dev/null || echo "?")
    echo "$APP_REPO: $behind new upstream commits"
  else
    echo "$APP_REPO: git fetch failed" >&2
    exit 1
  fi
fi
