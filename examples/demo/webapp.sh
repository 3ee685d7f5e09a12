#!/bin/sh
# Demo program: stands in for a web application. It answers HTTP on 127.0.0.1:${PORT:-18080}
# (python3's http.server, in the same process group, so vigil stops both), and writes a
# temp file now and then, which the example's cleanup task removes when old.
mkdir -p /tmp/vigil-example-webapp
python3 -m http.server "${PORT:-18080}" --bind 127.0.0.1 --directory /tmp/vigil-example-webapp >/dev/null 2>&1 &
echo "webapp: serving on http://127.0.0.1:${PORT:-18080}/ (pid $$)"
trap 'echo "webapp: shutting down"; exit 0' TERM
n=0
while :; do
  sleep 10 &
  wait $!
  n=$((n + 1))
  : > "/tmp/vigil-example-webapp/session-$n.tmp"
  echo "webapp: handled request $n"
done
