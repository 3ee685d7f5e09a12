#!/bin/sh
# Demo program: a one-shot that writes a report and exits 0 (state EXITED, not restarted).
echo "report: $(date -u +%FT%TZ): all demo programs configured"
