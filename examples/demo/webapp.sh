#!/bin/sh
# Demo program: stands in for a web application; writes a temp file now and then, which
# the example's cleanup task removes when old.
mkdir -p /tmp/vigil-example-webapp
echo "webapp: serving (pid $$)"
trap 'echo "webapp: shutting down"; exit 0' TERM
n=0
while :; do
  sleep 10 &
  wait $!
  n=$((n + 1))
  : > "/tmp/vigil-example-webapp/session-$n.tmp"
  echo "webapp: handled request $n"
done
