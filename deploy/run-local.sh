#!/bin/sh
# `make run`: the service set on its embedded defaults, in the foreground.
#
# ipc sockets under ./run, data under ./var, the 2024 demo work program
# loaded (idempotently: a second run skips what is there), the web face on
# http://127.0.0.1:$WEB_PORT (default 8080) with a key that signs the links
# in alert mails and a login link to the board. Ctrl-C stops all.
set -eu
BUILD=${1:-build}
TOP=$(pwd)
RUN="$TOP/run"
VAR="$TOP/var"
CONF="$RUN/thuky.conf"
WEB_PORT=${WEB_PORT:-8080}
WEB="http://127.0.0.1:$WEB_PORT"

mkdir -p "$RUN" "$VAR"
cat > "$CONF" <<CONF
# Written by make run: the embedded defaults with local directories.
[core]
runtime_dir = $RUN
state_dir = $VAR
calendar_dir = $TOP/deploy/calendar
log_level = info
language = vi
[web]
public_url = $WEB
listen = 127.0.0.1:$WEB_PORT
CONF

# The key that signs alert links (notifyd) and checks them (webd): made once.
mkdir -p "$VAR/link-keys"
if [ -z "$(ls "$VAR/link-keys" 2>/dev/null)" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' \
        > "$VAR/link-keys/$(date +%Y%m%d).key")
fi

pids=""
stop() {
    [ -n "$pids" ] && kill $pids 2>/dev/null
    wait
    echo "thuky: stopped"
    exit 0
}
# A shell started in the background ignores SIGINT; TERM and HUP stop it too.
trap stop INT TERM HUP

for daemon in thuky-sessiond thuky-taskd thuky-notifyd thuky-webd; do
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
# A login link to the board (read scope), rotated on every run.
old=$("$TOP/$BUILD/thuky" --config "$CONF" web token list |
      awk '$(NF-1) == "make" && $NF == "run" { print $1; exit }')
if [ -n "$old" ]; then
    login=$("$TOP/$BUILD/thuky" --config "$CONF" web token rotate "$old")
else
    login=$("$TOP/$BUILD/thuky" --config "$CONF" web token create --kind login --label "make run")
fi
board=$(printf '%s\n' "$login" | sed -n 's|^ *\(http://[^ ]*/login/[^ ]*\)$|\1|p')
echo
echo "The web face: $WEB/ (status board: open $board)"
echo "Alert mails carry links to $WEB/a/..."
echo
echo "The service set is running. In another shell:"
echo "    export THUKY_CONFIG=$CONF"
echo "    $BUILD/thuky task list"
echo "    $BUILD/thuky session list --from 2024-01-01"
echo "    $BUILD/thuky alert list"
echo "Deadline alerts are spooled as e-mail files to $VAR/mail-spool."
echo "Ctrl-C stops it."
wait
