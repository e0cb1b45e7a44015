"""Every alert e-mail carries, for each alert, the office's signed link to
it on the web face ([web] public_url): /a/ALERT/OFFICE.EXPIRY.KEYID.MAC,
checked here by an HMAC of our own. Without public_url there is no link; a
public_url whose keys cannot be used stops notifyd with a clear reason."""
import base64
import datetime
import email
import email.policy
import hashlib
import hmac
import re

import pytest

from conftest import NOTIFYD, Services, add_task, base_config, run_daemon_once, wait_for

KEY = bytes(range(32))


def write_key(directory, key_id, key=KEY, mode=0o600):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{key_id}.key"
    path.write_text(key.hex() + "\n")
    path.chmod(mode)


def expected_mac(key, alert, office, expiry):
    message = f"thuky-alert-link\n{alert}\n{office}\n{expiry}".encode()
    mac = hmac.new(key, message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def spooled(s):
    spool = s.tmp / "var" / "mail-spool"
    if not spool.exists():
        return {}
    return {p.stem: email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(spool.glob("*.eml"))}


def start(tmp, web=""):
    s = Services(tmp, web)
    s.tmp = tmp
    s.start()
    s.ok("clock", "set", "2024-05-01T00:00")
    s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title", "CT 2024")
    s.ok("office", "add", "vu-thu-ky", "--name", "Vụ Thư ký", "--kind", "department",
         "--email", "vtk@demo.quochoi.vn")
    return s


def test_each_alert_in_the_mail_has_its_signed_link(tmpdir_short):
    write_key(tmpdir_short / "keys", "2024-01", bytes(32))    # an older key
    write_key(tmpdir_short / "keys", "2024-05")               # the newest signs
    s = start(tmpdir_short, "[web]\npublic_url = http://127.0.0.1:8080/\n"
                            f"link_key_dir = {tmpdir_short}/keys\nlink_days = 30\n")
    try:
        t1 = add_task(s, "Báo cáo thẩm tra", due="2024-05-20")
        t2 = add_task(s, "Tờ trình dự án luật", due="2024-05-20")
        s.ok("clock", "set", "2024-05-13T08:00")
        mail = wait_for(lambda: spooled(s).get("D-vu-thu-ky-202405130800"), "the digest")
        body = mail.get_content()
        links = re.findall(r"http://127\.0\.0\.1:8080(/a/\S+)", body)
        assert len(links) == 2, body
        fire = int(datetime.datetime(2024, 5, 13, 8, 0, tzinfo=datetime.timezone(
            datetime.timedelta(hours=7))).timestamp())
        alerts = set()
        for link in links:
            m = re.fullmatch(r"/a/([^/]+)/([a-z0-9._-]+)\.(\d+)\.([a-z0-9-]+)\.([A-Za-z0-9_-]{22})",
                             link)
            assert m, link
            alert, office, expiry, key_id, mac = m.groups()
            assert office == "vu-thu-ky" and key_id == "2024-05"
            assert int(expiry) == fire + 30 * 86400
            assert mac == expected_mac(KEY, alert, office, expiry)
            alerts.add(alert)
        assert alerts == {f"A{t[1:]}-20240520-L7-vu-thu-ky" for t in (t1, t2)}
    finally:
        s.stop()
        s.close()


def test_no_public_url_no_link(tmpdir_short):
    s = start(tmpdir_short)
    try:
        add_task(s, "Báo cáo thẩm tra", due="2024-05-20")
        s.ok("clock", "set", "2024-05-13T08:00")
        mail = wait_for(lambda: spooled(s).get("D-vu-thu-ky-202405130800"), "the digest")
        assert "/a/" not in mail.get_content()
    finally:
        s.stop()
        s.close()


@pytest.mark.parametrize("setup,reason", [
    (lambda d: None, "cannot be opened"),
    (lambda d: d.mkdir(), "holds no link key"),
    (lambda d: write_key(d, "k1", mode=0o644), "k1.key"),
    (lambda d: write_key(d, "k1", key=b"short"), "64 hex digits"),
])
def test_unusable_link_keys_stop_notifyd_with_the_reason(tmpdir_short, setup, reason):
    keys = tmpdir_short / "keys"
    setup(keys)
    config = tmpdir_short / "thuky.conf"
    config.write_text(base_config(tmpdir_short) + "[web]\npublic_url = https://thuky.example\n"
                      f"link_key_dir = {keys}\n")
    rc, stderr = run_daemon_once(config, binary=NOTIFYD)
    assert rc != 0
    assert "link keys cannot be used" in stderr and reason in stderr, stderr
    assert KEY.hex() not in stderr


@pytest.mark.parametrize("key,value", [
    ("public_url", "ftp://x"), ("public_url", "http://"), ("public_url", "http:///x"),
    ("public_url", "https://a b"), ("public_url", "https://x/<script>"),
    ("public_url", "https://x/\"q\""), ("link_days", "0"), ("link_days", "366"),
    ("link_days", "30d"),
])
def test_a_bad_web_key_is_refused(tmpdir_short, key, value):
    config = tmpdir_short / "thuky.conf"
    config.write_text(base_config(tmpdir_short) + f"[web]\n{key} = {value}\n")
    rc, stderr = run_daemon_once(config, binary=NOTIFYD)
    assert rc != 0 and key in stderr, stderr
