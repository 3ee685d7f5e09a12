#!/bin/sh
# Demo program: a job worker that crashes now and then (exit 1), so vigil restarts it.
id="${VIGIL_INSTANCE:-0}"
echo "worker $id: started (pid $$), connected to fake-db"
jobs=0
trap 'echo "worker $id: finishing job and stopping"; exit 0' TERM
while :; do
  sleep 2 &
  wait $!
  jobs=$((jobs + 1))
  echo "worker $id: job $jobs done"
  if [ $((jobs % 15)) -eq 0 ] && [ "$id" = 1 ]; then
    echo "worker $id: simulated crash" >&2
    exit 1
  fi
done
