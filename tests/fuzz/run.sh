#!/bin/sh
# Runs the fuzz targets (from the repository root; see tests/fuzz/README.md).
#
#   run.sh fuzz BUILD SECONDS TARGET...   fuzz each target for SECONDS from a
#                                         copy of its corpus
#   run.sh regress BUILD 0 TARGET...      run each target once over its corpus
#                                         and regressions, no fuzzing, each input
#                                         on a fresh store, notes fatal
#
# One line per target; the full libFuzzer output is in BUILD/logs/TARGET.log,
# notes about suspicious replies in BUILD/logs/TARGET.notes, a crashing input
# in BUILD/artifacts/TARGET/. Exits 1 when any target crashed.
set -u
mode=$1 build=$2 seconds=$3
shift 3
logs=$build/logs
case $logs in /*) ;; *) logs=$PWD/$logs ;; esac
mkdir -p "$logs"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
failed=0
work=$(mktemp -d /tmp/thuky-fuzz-run-XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

# The files of a target's corpus (and regressions with a second argument).
inputs() {
    for dir in tests/fuzz/corpus/$1 ${2:+tests/fuzz/regressions/$1}; do
        [ -d "$dir" ] && find "$dir" -type f ! -name '.*' ! -name '*.md'
    done
}

for target in "$@"; do
    bin=$build/$target
    log=$logs/$target.log
    rm -f "$logs/$target.notes"
    export THUKY_FUZZ_NOTES="$logs/$target.notes"
    case $target in
    *_request | fuzz_event_apply) dict=tests/fuzz/dict/protobuf.dict ;;
    *) dict=tests/fuzz/dict/$target.dict ;;
    esac
    [ -f "$dict" ] && dict_opt=-dict=$dict || dict_opt=
    if [ "$mode" = regress ]; then
        # Every input alone, on a fresh store, so a finding replays exactly; a
        # note (an INTERNAL reply, an event not applied) fails like a crash.
        : >"$log"
        n=0 bad=
        for f in $(inputs "$target" all); do
            n=$((n + 1))
            THUKY_FUZZ_RESET_EVERY=1 THUKY_FUZZ_STRICT=1 "$bin" -timeout=10 -rss_limit_mb=2048 \
                "$f" >>"$log" 2>&1 || bad="$bad ${f##*/}"
        done
        if [ -z "$bad" ]; then
            result=ok
        else
            result="FAILED:$bad (see $log)"
            failed=1
        fi
        printf '%-24s %4d inputs  %s\n' "$target" "$n" "$result"
        continue
    fi
    corpus=$work/$target
    artifacts=$build/artifacts/$target
    rm -rf "$artifacts"
    mkdir -p "$corpus" "$artifacts"
    inputs "$target" | while read -r f; do cp "$f" "$corpus/"; done
    "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 $dict_opt \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1
    status=$?
    artifact=$(find "$artifacts" -type f | head -n 1)
    if [ $status = 0 ]; then
        result=ok
    elif [ $status = 72 ]; then
        result="interrupted"
        failed=1
    else
        result="CRASH ${artifact:-exit $status} (see $log)"
        failed=1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    [ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    files=$(find "$corpus" -type f | wc -l)
    notes=
    [ -s "$logs/$target.notes" ] && notes=" ($(wc -l <"$logs/$target.notes") note(s))"
    printf '%-24s %9s execs %7s/s  cov %5s  corpus %5d  %s%s\n' "$target" "${execs:-?}" \
        "${speed:-?}" "${cov:-?}" "$files" "$result" "$notes"
done
exit $failed
