#!/bin/sh
# Demo program: pretends to be a database. Says it is ready, then reports every 5 seconds.
echo "fake-db: listening (pid $$)"
n=0
trap 'echo "fake-db: shutting down cleanly"; exit 0' TERM
while :; do
  sleep 5 &
  wait $!
  n=$((n + 1))
  echo "fake-db: $n checkpoints written"
done
