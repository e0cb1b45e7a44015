"""make install, make uninstall and make deb (deploy/install.mk), the systemd
units (deploy/systemd) and, as root, the Debian package installed for real.

Runs against build/ only: installing is not about sanitizers. The real
dpkg -i test needs root and no thuky package on the machine; set
THUKY_TEST_DPKG=0 to skip it.
"""
import grp
import gzip
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import BUILD, REPO, wait_for

pytestmark = pytest.mark.skipif(
    BUILD.name == "build-san",
    reason="installing is not about sanitizers: tested with build/ only")

DAEMONS = ("thuky-taskd", "thuky-sessiond", "thuky-notifyd", "thuky-webd")
UNITS = tuple(f"{d}.service" for d in DAEMONS) + ("thuky.target",)
CALENDARS = sorted((REPO / "deploy" / "calendar").glob("*.conf"))
MAN_PAGES = sorted(p for p in (REPO / "deploy" / "man").glob("*.*") if p.suffix in (".1", ".5", ".8"))
MAN_VI_PAGES = sorted(p for p in (REPO / "deploy" / "man" / "vi").glob("*.*")
                      if p.suffix in (".1", ".5", ".8"))
CONFIG = REPO / "deploy" / "thuky.conf"

# The variables a calling make (make test) or the shell may export, which
# would change what the make below does.
_MAKE_ENV = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DESTDIR", "PREFIX", "SYSCONFDIR",
             "SYSTEMDUNITDIR", "BINDIR", "SBINDIR", "MANDIR", "CALENDARDIR", "VERSION", "SAN")


def make(*args, check=True):
    """make -C REPO BUILD=... ARGS; returns the CompletedProcess (text)."""
    build = os.path.relpath(BUILD, REPO) if BUILD.is_relative_to(REPO) else str(BUILD)
    env = {k: v for k, v in os.environ.items() if k not in _MAKE_ENV}
    p = subprocess.run(["make", "--no-print-directory", "-C", str(REPO), f"BUILD={build}", *args],
                       env=env, capture_output=True, text=True, timeout=300,
                       stdin=subprocess.DEVNULL)
    if check:
        assert p.returncode == 0, f"make {' '.join(args)} -> {p.returncode}\n{p.stdout}{p.stderr}"
    return p


def install(dest):
    return make("install", f"DESTDIR={dest}", "PREFIX=/usr")


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def read_unit(path):
    """{section: {key: [values]}} of a unit file."""
    sections, current = {}, None
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        else:
            key, _, value = line.partition("=")
            current.setdefault(key.strip(), []).append(value.strip())
    return sections


def expected_files():
    """Every file make install DESTDIR=D PREFIX=/usr writes, with its mode."""
    files = {"usr/bin/thuky": 0o755, "etc/thuky/thuky.conf": 0o640}
    files.update({f"usr/sbin/{d}": 0o755 for d in DAEMONS})
    files.update({f"lib/systemd/system/{u}": 0o644 for u in UNITS})
    files.update({f"usr/share/thuky/calendar/{c.name}": 0o644 for c in CALENDARS})
    files.update({f"usr/share/man/man{p.suffix[1:]}/{p.name}.gz": 0o644 for p in MAN_PAGES})
    # Vietnamese first: the man pages in Vietnamese, and the catalog
    files.update({f"usr/share/man/vi/man{p.suffix[1:]}/{p.name}.gz": 0o644
                  for p in MAN_VI_PAGES})
    files["usr/share/locale/vi/LC_MESSAGES/thuky.mo"] = 0o644
    return files


@pytest.fixture(scope="module")
def installed():
    """A tree from make install DESTDIR=tmp PREFIX=/usr (shared: read only)."""
    dest = Path(tempfile.mkdtemp(prefix="thuky-install-"))
    try:
        install(dest)
        yield dest
    finally:
        shutil.rmtree(dest, ignore_errors=True)


@pytest.fixture
def dest():
    path = Path(tempfile.mkdtemp(prefix="thuky-install-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


# ---- make install ---------------------------------------------------------

def test_install_writes_every_file_with_its_mode(installed):
    files = {str(p.relative_to(installed)): mode(p)
             for p in installed.rglob("*") if not p.is_dir()}
    assert files == expected_files()
    assert (installed / "etc/thuky/keys").is_dir()
    assert mode(installed / "etc/thuky/keys") == 0o750
    assert list((installed / "etc/thuky/keys").iterdir()) == []
    # Programs as built (no stripping on make install).
    assert (installed / "usr/bin/thuky").read_bytes() == (BUILD / "thuky").read_bytes()
    for d in DAEMONS:
        assert (installed / "usr/sbin" / d).read_bytes() == (BUILD / d).read_bytes()
    for c in CALENDARS:
        assert (installed / "usr/share/thuky/calendar" / c.name).read_bytes() == c.read_bytes()


def test_man_pages_are_gzipped_reproducibly(installed):
    if not MAN_PAGES:
        pytest.skip("no man pages in deploy/man yet")
    for page in MAN_PAGES:
        gz = installed / f"usr/share/man/man{page.suffix[1:]}/{page.name}.gz"
        data = gz.read_bytes()
        assert data[4:8] == b"\0\0\0\0", f"{gz}: gzip -n stores no timestamp"
        assert gzip.decompress(data) == page.read_bytes()


def test_config_points_at_the_installed_calendar(installed):
    text = (installed / "etc/thuky/thuky.conf").read_text(encoding="utf-8")
    assert "calendar_dir = /usr/share/thuky/calendar" in text.splitlines()
    # Otherwise it is the template.
    template = CONFIG.read_text(encoding="utf-8").splitlines()
    got = text.splitlines()
    assert len(got) == len(template)
    assert [a for a, b in zip(got, template) if a != b] in (
        [], ["calendar_dir = /usr/share/thuky/calendar"])


def test_config_follows_prefix(dest):
    make("install", f"DESTDIR={dest}", "PREFIX=/opt/thuky", "SYSCONFDIR=/opt/thuky/etc")
    conf = (dest / "opt/thuky/etc/thuky/thuky.conf").read_text(encoding="utf-8")
    assert "calendar_dir = /opt/thuky/share/thuky/calendar" in conf.splitlines()
    unit = read_unit(dest / "lib/systemd/system/thuky-taskd.service")
    assert unit["Service"]["ExecStart"] == [
        "/opt/thuky/sbin/thuky-taskd --config /opt/thuky/etc/thuky/thuky.conf"]


def test_second_install_keeps_an_edited_config(dest):
    install(dest)
    conf = dest / "etc/thuky/thuky.conf"
    default = conf.read_text(encoding="utf-8")
    edited = default.replace("log_level = info", "log_level = debug")
    assert edited != default
    conf.write_text(edited, encoding="utf-8")

    p = install(dest)
    assert conf.read_text(encoding="utf-8") == edited
    new = dest / "etc/thuky/thuky.conf.new"
    assert new.read_text(encoding="utf-8") == default
    assert mode(new) == 0o640 and mode(conf) == 0o640
    assert "thuky.conf.new" in p.stdout


def test_reinstall_of_an_unchanged_config_is_quiet(dest):
    install(dest)
    p = install(dest)
    assert not (dest / "etc/thuky/thuky.conf.new").exists()
    assert "thuky.conf.new" not in p.stdout


def test_uninstall_keeps_config_keys_and_data(dest):
    install(dest)
    store = dest / "var/lib/thuky/taskd"
    store.mkdir(parents=True)
    (store / "data.mdb").write_bytes(b"the Secretariat's record")
    (dest / "etc/thuky/keys/taskd.key_secret").write_text("secret\n")
    (dest / "usr/share/thuky/calendar/2030.conf").write_text("[off]\n")  # the admin's

    make("uninstall", f"DESTDIR={dest}", "PREFIX=/usr")
    left = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if not p.is_dir())
    assert left == ["etc/thuky/keys/taskd.key_secret", "etc/thuky/thuky.conf",
                    "usr/share/thuky/calendar/2030.conf", "var/lib/thuky/taskd/data.mdb"]
    assert (store / "data.mdb").read_bytes() == b"the Secretariat's record"


# ---- the systemd units ----------------------------------------------------

def test_units_run_the_installed_programs(installed):
    for d in DAEMONS:
        unit = read_unit(installed / f"lib/systemd/system/{d}.service")
        exec_start = unit["Service"]["ExecStart"]
        assert exec_start == [f"/usr/sbin/{d} --config /etc/thuky/thuky.conf"]
        assert (installed / exec_start[0].split()[0].lstrip("/")).is_file()
    for u in UNITS:
        assert not re.search(r"@[A-Z]+@", (installed / f"lib/systemd/system/{u}").read_text())


HARDENING = {
    "Type": "notify", "NotifyAccess": "main", "WatchdogSec": "30s",
    "Restart": "on-failure", "KillSignal": "SIGTERM", "ExecReload": "/bin/kill -HUP $MAINPID",
    "User": "thuky", "Group": "thuky", "UMask": "0007",
    "StateDirectory": "thuky", "StateDirectoryMode": "0750",
    "RuntimeDirectory": "thuky", "RuntimeDirectoryMode": "0770",
    "RuntimeDirectoryPreserve": "yes", "StandardError": "journal",
    "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
    "PrivateDevices": "yes", "NoNewPrivileges": "yes",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes", "ProtectClock": "yes", "ProtectHostname": "yes",
    "RestrictNamespaces": "yes", "RestrictRealtime": "yes", "RestrictSUIDSGID": "yes",
    "LockPersonality": "yes", "MemoryDenyWriteExecute": "yes",
    "SystemCallArchitectures": "native", "SystemCallFilter": "@system-service",
    "CapabilityBoundingSet": "",
}


def test_units_are_hardened_and_grouped(installed):
    after = {"thuky-sessiond": set(), "thuky-taskd": {"thuky-sessiond.service"},
             "thuky-notifyd": {"thuky-sessiond.service", "thuky-taskd.service"},
             "thuky-webd": {"thuky-sessiond.service", "thuky-taskd.service",
                            "thuky-notifyd.service"}}
    # the web face runs as its own user, in the thuky group, in its own state dir
    own = {"thuky-webd": {"User": "thuky-web", "StateDirectory": "thuky/webd"}}
    for d in DAEMONS:
        unit = read_unit(installed / f"lib/systemd/system/{d}.service")
        service = unit["Service"]
        for key, value in HARDENING.items():
            value = own.get(d, {}).get(key, value)
            assert service.get(key) == [value], f"{d}.service: {key}={service.get(key)}"
        assert unit["Unit"]["PartOf"] == ["thuky.target"]
        assert f"man:{d}(8)" in " ".join(unit["Unit"]["Documentation"])
        assert unit["Unit"]["Description"]
        unit_after = set(" ".join(unit["Unit"].get("After", [])).split())
        assert after[d] <= unit_after, f"{d}.service: After={unit_after}"
        assert unit["Install"]["WantedBy"] == ["thuky.target"]
    target = read_unit(installed / "lib/systemd/system/thuky.target")
    assert target["Install"]["WantedBy"] == ["multi-user.target"]


def test_systemd_analyze_verify_is_clean(installed, tmp_path):
    """systemd-analyze verify checks that ExecStart= programs exist, so the
    units are verified from a copy whose ExecStart= point into the DESTDIR
    tree (verify --root would want a whole system under the tree). The man
    pages in Documentation= are looked up in the tree too, once written."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    units = tmp_path / "units"
    units.mkdir()
    for u in UNITS:
        text = (installed / f"lib/systemd/system/{u}").read_text()
        (units / u).write_text(text.replace("ExecStart=/usr/sbin/", f"ExecStart={installed}/usr/sbin/"))
    documented = {"thuky.1", "thuky.conf.5"} | {f"{d}.8" for d in DAEMONS}
    man_written = documented <= {p.name for p in MAN_PAGES}
    env = dict(os.environ, MANPATH=str(installed / "usr/share/man"))
    p = subprocess.run(["systemd-analyze", "verify", f"--man={'yes' if man_written else 'no'}",
                        *(str(units / u) for u in UNITS)],
                       env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    output = p.stdout + p.stderr
    assert p.returncode == 0, output
    assert [line for line in output.splitlines() if "thuky" in line] == [], output


def test_the_installed_cli_finds_its_catalog_and_speaks_vietnamese(installed):
    """The catalog is found from the binary (../share/locale), with no vi_VN
    locale generated, and the installed config says language = vi."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
           "THUKY_CONFIG": str(installed / "etc/thuky/thuky.conf")}
    vi = subprocess.run([str(installed / "usr/bin/thuky"), "task", "--help"], env=env,
                        capture_output=True, text=True, timeout=30)
    assert vi.returncode == 0 and "cách dùng" in vi.stdout, vi.stdout + vi.stderr
    en = subprocess.run([str(installed / "usr/bin/thuky"), "task", "--help"],
                        env=dict(env, LANG="C"), capture_output=True, text=True, timeout=30)
    assert en.returncode == 0 and en.stdout.startswith("usage:"), en.stdout
    assert "language = vi" in (installed / "etc/thuky/thuky.conf").read_text().splitlines()


# ---- make deb -------------------------------------------------------------

@pytest.fixture(scope="module")
def deb():
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    make("deb")
    path = BUILD / f"thuky_0.1.0_{arch}.deb"
    assert path.is_file()
    return path


def linked_packages():
    """The packages holding the libraries the binaries link directly, found
    here independently of deploy/debian/depends.sh: readelf for the NEEDED
    entries, ldd for where they are, dpkg -S for the package."""
    packages = set()
    for binary in [BUILD / "thuky"] + [BUILD / d for d in DAEMONS]:
        dynamic = subprocess.run(["readelf", "-d", str(binary)], capture_output=True,
                                 text=True, check=True).stdout
        needed = {line.split("[")[1].rstrip("]") for line in dynamic.splitlines()
                  if "(NEEDED)" in line}
        ldd = subprocess.run(["ldd", str(binary)], capture_output=True, text=True,
                             check=True).stdout
        for line in ldd.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] in needed and parts[1] == "=>":
                real = os.path.realpath(parts[2])
                candidates = {parts[2], real}
                candidates |= {c[4:] if c.startswith("/usr/") else "/usr" + c for c in set(candidates)}
                for c in sorted(candidates):
                    q = subprocess.run(["dpkg", "-S", c], capture_output=True, text=True)
                    if q.returncode == 0:
                        packages.add(q.stdout.split(":")[0])
                        break
                else:
                    pytest.fail(f"no package holds {parts[2]}")
    return packages


def test_deb_control(deb):
    field = lambda name: subprocess.run(["dpkg-deb", "-f", str(deb), name], capture_output=True,
                                        text=True, check=True).stdout.strip()
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert field("Package") == "thuky"
    assert field("Version") == "0.1.0"
    assert field("Architecture") == arch
    assert field("Maintainer") and field("Description")
    depends = {d.strip() for d in field("Depends").split(",")}
    assert depends == linked_packages() | {"adduser"}
    # What the binaries link today (libsystemd0 once a daemon calls sd_notify).
    assert {"libzmq5", "liblmdb0", "libprotobuf-c1", "libinih1", "libjansson4", "libical3",
            "libcurl4", "libssl3", "libmicrohttpd12", "adduser"} <= depends
    info = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True,
                          check=True).stdout
    for script in ("conffiles", "postinst", "prerm", "postrm"):
        assert f" {script} " in info, info


def test_deb_control_files(deb, tmp_path):
    control = tmp_path / "DEBIAN"
    subprocess.run(["dpkg-deb", "-e", str(deb), str(control)], check=True)
    assert (control / "conffiles").read_text() == "/etc/thuky/thuky.conf\n"
    for script in ("postinst", "prerm", "postrm"):
        path = control / script
        assert mode(path) == 0o755
        assert path.read_text().startswith("#!/bin/sh\n")
        assert "set -e" in path.read_text()
        subprocess.run(["sh", "-n", str(path)], check=True)
    assert "rm -rf /var/lib/thuky" not in (control / "postrm").read_text()


def test_deb_contents(deb, tmp_path):
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True,
                             check=True).stdout
    entries = {}
    for line in listing.splitlines():
        perms, owner, _size, _date, _time, name = line.split(None, 5)
        entries[name.lstrip(".").rstrip("/") or "/"] = (perms, owner)
    assert {owner for _perms, owner in entries.values()} == {"root/root"}
    files = {name: perms for name, (perms, _) in entries.items() if not perms.startswith("d")}
    want = {"/" + path: ("-rwxr-xr-x" if m == 0o755 else "-rw-r-----" if m == 0o640
                         else "-rw-r--r--") for path, m in expected_files().items()}
    assert files == want
    # Keys are made by postinst, data by the services: neither is the package's.
    assert "/etc/thuky/keys" not in entries
    assert not any(name.startswith("/var") for name in entries)
    # Stripped programs.
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    sections = subprocess.run(["readelf", "-S", str(root / "usr/sbin/thuky-taskd")],
                              capture_output=True, text=True, check=True).stdout
    assert ".symtab" not in sections


# ---- the package, installed for real --------------------------------------

def _http_status(port, path):
    import http.client
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None


def _dpkg_status():
    p = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "thuky"], capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else ""


def _run(*args, timeout=120):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"{' '.join(args)} -> {p.returncode}\n{p.stdout}{p.stderr}"
    return p.stdout + p.stderr


def _exists(path):
    return os.path.lexists(path)


def _stores():
    """{path: bytes} of every file under /var/lib/thuky."""
    return {str(p): p.read_bytes() for p in Path("/var/lib/thuky").rglob("*") if p.is_file()}


@pytest.mark.skipif(os.geteuid() != 0, reason="dpkg -i needs root")
@pytest.mark.skipif(os.environ.get("THUKY_TEST_DPKG") == "0", reason="THUKY_TEST_DPKG=0")
def test_dpkg_install_run_remove_purge(deb, tmp_path):
    status = _dpkg_status()
    if status and status != "unknown ok not-installed":
        pytest.skip(f"a thuky package is on this machine ({status})")
    if _exists("/run/thuky"):
        pytest.skip("/run/thuky exists: a thuky may be running here")
    had_user = subprocess.run(["getent", "passwd", "thuky"], capture_output=True).returncode == 0
    had_web_user = subprocess.run(["getent", "passwd", "thuky-web"],
                                  capture_output=True).returncode == 0
    had_group = subprocess.run(["getent", "group", "thuky"], capture_output=True).returncode == 0
    had_var, had_etc = _exists("/var/lib/thuky"), _exists("/etc/thuky")
    procs = []
    try:
        _run("dpkg", "-i", str(deb))
        assert _dpkg_status() == "install ok installed"

        user = pwd.getpwnam("thuky")
        assert user.pw_uid < 1000 and user.pw_dir == "/var/lib/thuky"
        assert grp.getgrgid(user.pw_gid).gr_name == "thuky"
        gid = user.pw_gid
        web = pwd.getpwnam("thuky-web")
        assert web.pw_uid < 1000 and web.pw_gid == gid   # in the thuky group
        for path, owner, m in (("/var/lib/thuky", (user.pw_uid, gid), 0o750),
                               ("/etc/thuky/keys", (0, gid), 0o750),
                               ("/etc/thuky/thuky.conf", (0, gid), 0o640)):
            st = os.stat(path)
            assert ((st.st_uid, st.st_gid), mode(path)) == (owner, m), path
        assert "calendar_dir = /usr/share/thuky/calendar" in \
            Path("/etc/thuky/thuky.conf").read_text(encoding="utf-8").splitlines()
        _run("/usr/bin/thuky", "--help")
        for d in DAEMONS:
            _run(f"/usr/sbin/{d}", "--help")

        # Run the installed services on the installed config the way the
        # units do: as thuky, umask 0007, /run/thuky made for them 0770.
        os.mkdir("/run/thuky")
        os.chmod("/run/thuky", 0o770)   # mkdir's mode is cut by the umask
        os.chown("/run/thuky", user.pw_uid, gid)
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
        # webd as its unit runs it: thuky-web, in /var/lib/thuky/webd
        os.mkdir("/var/lib/thuky/webd")
        os.chmod("/var/lib/thuky/webd", 0o750)
        os.chown("/var/lib/thuky/webd", web.pw_uid, gid)
        for d in DAEMONS:
            err = open(tmp_path / f"{d}.err", "wb")
            procs.append((d, err, subprocess.Popen(
                [f"/usr/sbin/{d}", "--config", "/etc/thuky/thuky.conf"],
                user="thuky-web" if d == "thuky-webd" else "thuky",
                group="thuky", extra_groups=[], umask=0o007, env=env, cwd="/",
                stdin=subprocess.DEVNULL, stdout=err, stderr=err)))

        def logs():
            return "\n".join(f"{d}: {(tmp_path / f'{d}.err').read_text(errors='replace')}"
                             for d, _, _ in procs)

        deadline = time.monotonic() + 15
        while True:
            for d, _, proc in procs:
                assert proc.poll() is None, f"{d} exited with {proc.returncode}\n{logs()}"
            p = subprocess.run(["/usr/bin/thuky", "status"], capture_output=True, text=True,
                               timeout=30, env=env)
            if p.returncode == 0:
                break
            assert time.monotonic() < deadline, f"thuky status: {p.stdout}{p.stderr}\n{logs()}"
            time.sleep(0.1)
        for d in DAEMONS:
            sock = Path(f"/run/thuky/{d[len('thuky-'):]}.cmd")
            wait_for(lambda: sock.is_socket() or [p.poll() for _, _, p in procs] and
                     any(p.poll() is not None for _, _, p in procs) and
                     pytest.fail(logs()), f"{sock}")
            assert os.stat(sock).st_uid == (web.pw_uid if d == "thuky-webd" else user.pw_uid)
        # the web face reads as the gateway: its health check asks all three
        wait_for(lambda: _http_status(8080, "/healthz") == 200, "webd's /healthz")
        for d, err, proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=15) == 0, logs()
            err.close()
        procs.clear()

        stores = _stores()
        assert any(p.startswith("/var/lib/thuky/sessiond/") for p in stores), stores.keys()
        assert any(p.startswith("/var/lib/thuky/taskd/") for p in stores), stores.keys()

        _run("dpkg", "-r", "thuky")
        for path in ["/usr/bin/thuky"] + [f"/usr/sbin/{d}" for d in DAEMONS] + \
                [f"/lib/systemd/system/{u}" for u in UNITS]:
            assert not _exists(path), path
        assert Path("/etc/thuky/thuky.conf").is_file()  # a conffile stays until purge
        assert _stores() == stores

        out = _run("dpkg", "--purge", "thuky")
        assert _dpkg_status() in ("", "unknown ok not-installed")
        assert not _exists("/etc/thuky/thuky.conf")
        assert _stores() == stores
        assert "/var/lib/thuky" in out
    finally:
        for _d, err, proc in procs:
            proc.kill()
            proc.wait()
            err.close()
        if _dpkg_status() not in ("", "unknown ok not-installed"):
            subprocess.run(["dpkg", "--purge", "thuky"], capture_output=True)
        shutil.rmtree("/run/thuky", ignore_errors=True)
        # Leave the machine as it was: what this test made, it removes.
        if not had_var:
            shutil.rmtree("/var/lib/thuky", ignore_errors=True)
        if not had_etc:
            shutil.rmtree("/etc/thuky", ignore_errors=True)
        if not had_web_user:
            subprocess.run(["userdel", "thuky-web"], capture_output=True)
        if not had_user:
            subprocess.run(["userdel", "thuky"], capture_output=True)
        if not had_group:
            subprocess.run(["groupdel", "thuky"], capture_output=True)
