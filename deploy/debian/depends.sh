#!/bin/sh
# Prints the Debian packages holding the shared libraries that the given
# binaries link directly (their NEEDED entries, not what those pull in),
# comma-separated, for the Depends line of the thuky package.
#
# ldd says where each library was found; dpkg -S which package installed
# it. With merged /usr, ldd may say /lib/... while dpkg's database lists
# /usr/lib/... (or the reverse), so both spellings are tried.
set -eu

package_of() {
    for path in "$1" "$(readlink -f "$1")"; do
        case $path in
        /usr/*) alt=${path#/usr} ;;
        *) alt=/usr$path ;;
        esac
        for p in "$path" "$alt"; do
            # "libzmq5:amd64: /usr/lib/x86_64-linux-gnu/libzmq.so.5"
            pkg=$(dpkg -S "$p" 2>/dev/null | sed -n '1s/[:,].*//p') || true
            if [ -n "$pkg" ]; then
                echo "$pkg"
                return 0
            fi
        done
    done
    echo "depends.sh: no Debian package holds $1" >&2
    return 1
}

# In a command substitution, so that a failure stops the script.
packages=$(for bin in "$@"; do
    [ -f "$bin" ] || { echo "depends.sh: $bin: no such file" >&2; exit 1; }
    for lib in $(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }'); do
        path=$(ldd "$bin" | awk -v lib="$lib" '$1 == lib && $2 == "=>" { print $3 }')
        if [ -z "$path" ] || [ "$path" = "not" ]; then
            echo "depends.sh: $bin: $lib not found" >&2
            exit 1
        fi
        package_of "$path"
    done
done)
printf '%s\n' "$packages" | sort -u | paste -s -d, - | sed 's/,/, /g'
