#!/bin/sh
# `make run`: the service set on its embedded defaults, in the foreground.
#
# ipc sockets under ./run, data under ./var, the 2024 demo work program
# loaded (idempotently: a second run skips what is there). Ctrl-C stops all.
set -eu
BUILD=${1:-build}
TOP=$(pwd)
RUN="$TOP/run"
VAR="$TOP/var"
CONF="$RUN/thuky.conf"

mkdir -p "$RUN" "$VAR"
cat > "$CONF" <<CONF
# Written by make run: the embedded defaults with local directories.
[core]
runtime_dir = $RUN
state_dir = $VAR
calendar_dir = $TOP/deploy/calendar
log_level = info
CONF

pids=""
stop() {
    [ -n "$pids" ] && kill $pids 2>/dev/null
    wait
    echo "thuky: stopped"
    exit 0
}
# A shell started in the background ignores SIGINT; TERM and HUP stop it too.
trap stop INT TERM HUP

for daemon in thuky-sessiond thuky-taskd thuky-notifyd; do
    "$TOP/$BUILD/$daemon" --config "$CONF" &
    pids="$pids $!"
done

# Wait (at most 5 s) until the daemon answers.
i=0
until "$TOP/$BUILD/thuky" --config "$CONF" status >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 50 ]; then
        echo "thuky: the daemons did not start" >&2
        stop
    fi
    sleep 0.1
done

"$TOP/$BUILD/thuky" --config "$CONF" import "$TOP/deploy/demo/sittings-2024.json"
"$TOP/$BUILD/thuky" --config "$CONF" import "$TOP/deploy/demo/program-2024.json"
"$TOP/$BUILD/thuky" --config "$CONF" status
echo
echo "The service set is running. In another shell:"
echo "    export THUKY_CONFIG=$CONF"
echo "    $BUILD/thuky task list"
echo "    $BUILD/thuky session list --from 2024-01-01"
echo "    $BUILD/thuky alert list"
echo "Deadline alerts are spooled as e-mail files to $VAR/mail-spool."
echo "Ctrl-C stops it."
wait
