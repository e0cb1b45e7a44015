"""The briefing as documents (thuky report briefing --format ...): CSV read
back with Python's csv module (RFC 4180, UTF-8 with BOM, Vietnamese
intact), XLSX read back with openpyxl (an independent reader: real date
cells, numbers, a bold frozen header), HTML in the administrative layout
of Decree 30/2020/NĐ-CP with the SVG timeline, PDF printed by headless
Chromium and read back with pdftotext; English with --lang en.

One set of daemons for the file (the tests only read); every run names
its language, since the test configuration says English."""
import csv
import datetime
import io
import json
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import pytest

from conftest import Services, add_task, one_line

DAY = "20/05/2024"
BEHIND = "Báo cáo thẩm tra dự án Luật Đất đai (sửa đổi)"
QUOTED = 'Rà soát, hoàn thiện hồ sơ "Luật Thủ đô" trình Quốc hội'
DISPUTED = "Tổng hợp ý kiến đại biểu về dự án Luật Công chứng"
SOON = "Chuẩn bị tài liệu phiên họp Ủy ban Thường vụ Quốc hội"
MARKUP = "Tiếp thu <ý kiến> & giải trình"
PLENARY = "Kỳ họp thứ 7, Quốc hội khóa XV"

VI_SECTIONS = ["Nhiệm vụ chậm tiến độ", "Nhiệm vụ không bảo đảm chất lượng",
               "Nhiệm vụ còn nhiều ý kiến khác nhau", "Nhiệm vụ đến hạn trong 14 ngày tới"]
EN_SECTIONS = ["Tasks behind schedule", "Tasks that fall short on quality",
               "Tasks on which members still disagree", "Tasks due in the next 14 days"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def site():
    tmp = Path(tempfile.mkdtemp(prefix="thuky-"))
    s = Services(tmp)
    s.start()
    try:
        s.ok("program", "add", "2024", "--decision", "3333/QĐ-TTKQH", "--title",
             "Chương trình công tác năm 2024")
        s.ok("session", "add", "--kind", "plenary", "--term", "XV", "--number", "7", "--title",
             PLENARY, "--start", "2024-05-20", "--end", "2024-06-28")
        s.ids = {
            "behind": add_task(s, BEHIND, due="2024-05-10",
                               with_=["vu-phap-luat", "vu-kinh-te"]),
            "quoted": add_task(s, QUOTED, due="2024-07-15", lead="vu-phap-luat"),
            "disputed": add_task(s, DISPUTED, due="2024-08-01"),
            "soon": add_task(s, SOON, due="2024-05-27T17:00"),
            "markup": add_task(s, MARKUP, due="2024-05-30"),
        }
        s.ok("task", "update", s.ids["quoted"], "--flag", "quality", "--progress", "40")
        s.ok("task", "update", s.ids["disputed"], "--flag", "dispute")
        s.tmp = tmp
        yield s
    finally:
        try:
            s.stop()
        finally:
            s.close()
            shutil.rmtree(tmp, ignore_errors=True)


def report(s, lang, *args, env=None):
    """(rc, stdout, stderr) of thuky --lang LANG report briefing --date DAY ARGS."""
    return s.cli("--lang", lang, "report", "briefing", "--date", DAY, *args, env=env)


def written(s, lang, fmt, name):
    """Writes the report to a fresh file; returns its path (and checks that
    nothing else was left beside it)."""
    folder = Path(tempfile.mkdtemp(dir=s.tmp))
    out = folder / name
    rc, stdout, err = report(s, lang, "--format", fmt, "--out", out)
    assert rc == 0, err
    assert stdout == ""
    assert [p.name for p in folder.iterdir()] == [name]
    return out


def flat(text):
    return " ".join(unicodedata.normalize("NFC", text).split())


# ---- CSV --------------------------------------------------------------------------------

def test_csv_is_utf8_with_bom_rfc4180_and_reads_back_in_vietnamese(site):
    path = written(site, "vi", "csv", "giao-ban.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no byte order mark: Excel would not read UTF-8"
    text = raw.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")   # CRLF only
    # the title with a comma and quotes is quoted, its quotes doubled
    assert '"Rà soát, hoàn thiện hồ sơ ""Luật Thủ đô"" trình Quốc hội"' in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["Mục", "Mã nhiệm vụ", "Nội dung nhiệm vụ", "Đơn vị chủ trì",
                       "Đơn vị phối hợp", "Thời hạn", "Tình trạng", "Tiến độ (%)", "Lưu ý"]
    by_id = {}
    for row in rows[1:]:
        assert len(row) == 9, row
        by_id.setdefault(row[1], []).append(row)
    behind, = by_id[site.ids["behind"]]
    assert behind[0] == VI_SECTIONS[0] and behind[2] == BEHIND
    assert behind[4] == "vu-phap-luat, vu-kinh-te"
    assert behind[5] == "10/05/2024" and behind[6] == "chưa thực hiện" and behind[7] == "0"
    quoted, = by_id[site.ids["quoted"]]
    assert quoted[0] == VI_SECTIONS[1] and quoted[2] == QUOTED and quoted[3] == "vu-phap-luat"
    assert quoted[6] == "đang thực hiện" and quoted[7] == "40"
    assert quoted[8] == "không bảo đảm chất lượng"
    disputed, = by_id[site.ids["disputed"]]
    assert disputed[0] == VI_SECTIONS[2] and disputed[8] == "còn nhiều ý kiến khác nhau"
    soon, = by_id[site.ids["soon"]]
    assert soon[0] == VI_SECTIONS[3] and soon[5] == "27/05/2024 17:00"
    assert by_id[site.ids["markup"]][0][2] == MARKUP


def test_csv_goes_to_stdout_without_out(site):
    rc, out, err = report(site, "vi", "--format", "csv")
    assert rc == 0, err
    assert out.startswith("\ufeff") and QUOTED in next(
        r for r in csv.reader(io.StringIO(out[1:], newline="")) if r[1] == site.ids["quoted"])


# ---- XLSX -------------------------------------------------------------------------------

def test_xlsx_reads_back_with_openpyxl(site):
    openpyxl = pytest.importorskip("openpyxl", reason="python3-openpyxl (make deps)")
    path = written(site, "vi", "xlsx", "giao-ban.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Mục", "Mã nhiệm vụ", "Nội dung nhiệm vụ", "Đơn vị chủ trì",
                       "Đơn vị phối hợp", "Thời hạn", "Tình trạng", "Tiến độ (%)", "Lưu ý")
    assert all(ws.cell(row=1, column=c).font.b for c in range(1, 10)), "header not bold"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["C"].width >= 40   # the titles fit
    cells = {row[1].value: row for row in ws.iter_rows(min_row=2)}
    behind = cells[site.ids["behind"]]
    assert behind[0].value == VI_SECTIONS[0] and behind[2].value == BEHIND
    assert behind[4].value == "vu-phap-luat, vu-kinh-te"
    assert isinstance(behind[5].value, datetime.datetime), behind[5].value
    assert behind[5].value.date() == datetime.date(2024, 5, 10)
    assert behind[5].number_format == "dd/mm/yyyy"
    assert behind[6].value == "chưa thực hiện"
    quoted = cells[site.ids["quoted"]]
    assert quoted[2].value == QUOTED and quoted[8].value == "không bảo đảm chất lượng"
    assert isinstance(quoted[7].value, (int, float)) and quoted[7].value == 40
    soon = cells[site.ids["soon"]]
    assert soon[5].value == datetime.datetime(2024, 5, 27, 17, 0)
    assert soon[5].number_format == "dd/mm/yyyy hh:mm"
    assert cells[site.ids["markup"]][2].value == MARKUP
    assert {r[0] for r in rows[1:]} == set(VI_SECTIONS)


def test_xlsx_and_pdf_need_a_file(site):
    for fmt in ("xlsx", "pdf"):
        rc, out, err = report(site, "vi", "--format", fmt)
        assert rc == 2 and out == ""
        assert "--out" in one_line(err), err


# ---- HTML -------------------------------------------------------------------------------

def test_html_is_an_a4_administrative_document_with_the_timeline(site):
    html = written(site, "vi", "html", "giao-ban.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="vi">' in html
    assert "size:A4 portrait" in html and "margin:20mm 15mm 20mm 30mm" in html
    assert "Times New Roman" in html and "13pt" in html
    for words in ("QUỐC HỘI", "BAN THƯ KÝ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "Độc lập - Tự do - Hạnh phúc", "Hà Nội, ngày 20 tháng 5 năm 2024",
                  "BÁO CÁO GIAO BAN", BEHIND, DISPUTED, "không bảo đảm chất lượng",
                  "Tiến độ so với lịch họp", PLENARY, "10/05/2024"):
        assert words in html, words
    for title in VI_SECTIONS:
        assert f". {title} <span" in html, title
    # every text from a daemon is escaped
    assert "Tiếp thu &lt;ý kiến&gt; &amp; giải trình" in html and MARKUP not in html
    assert "&quot;Luật Thủ đô&quot;" in html
    # the timeline: the sitting as a bar, the deadlines as marks with their ids, today
    svg = html[html.index("<svg id=\"timeline\""):]
    svg = svg[:svg.index("</svg>")]
    assert 'class="sitting kind-1"' in svg and PLENARY in svg
    assert 'class="deadline late"' in svg and 'id="today"' in svg
    for tid in site.ids.values():
        assert f'data-task="{tid[1:]}"' in svg and f">{tid}</text>" in svg
    assert "<a " not in svg     # a printed page links nowhere
    # self-contained: no script, nothing fetched
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert "href=" not in html and "url(" not in html


def test_the_date_line_writes_a_leading_zero_for_early_days_and_months(site):
    rc, out, err = site.cli("--lang", "vi", "report", "briefing", "--date", "05/02/2024",
                            "--format", "html")
    assert rc == 0, err
    assert "Hà Nội, ngày 05 tháng 02 năm 2024" in out


# ---- PDF --------------------------------------------------------------------------------

@pytest.mark.skipif(not CHROMIUM, reason="needs chromium (make deps)")
def test_pdf_is_printed_by_chromium_with_the_vietnamese_headings(site):
    path = written(site, "vi", "pdf", "giao-ban.pdf")
    assert path.read_bytes().startswith(b"%PDF-")
    text = flat(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                               check=True).stdout.decode("utf-8"))
    for words in ["BÁO CÁO GIAO BAN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "Độc lập - Tự do - Hạnh phúc", "Hà Nội, ngày 20 tháng 5 năm 2024",
                  "Tiến độ so với lịch họp", *VI_SECTIONS]:
        assert flat(words) in text, (words, text)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    width, height = (float(x) for x in size.split(":")[1].split("pts")[0].split(" x "))
    assert round(width) == 595 and round(height) == 842, size   # A4 portrait, in points


def test_pdf_without_chromium_says_what_to_install(site):
    folder = Path(tempfile.mkdtemp(dir=site.tmp))
    out = folder / "giao-ban.pdf"
    for extra in ({"THUKY_CHROMIUM": str(site.tmp / "no-such-chromium")},
                  {"THUKY_CHROMIUM": "", "PATH": str(folder)}):
        env = dict(site.taskd.env, **extra)
        rc, stdout, err = report(site, "vi", "--format", "pdf", "--out", out, env=env)
        assert rc == 1 and stdout == ""
        line = one_line(err)
        assert "apt-get install chromium" in line and "Chromium" in line, line
        assert list(folder.iterdir()) == [], "a failed report left a file behind"
    rc, _, err = report(site, "en", "--format", "pdf", "--out", out,
                        env=dict(site.taskd.env, THUKY_CHROMIUM="/nonexistent/chromium"))
    assert rc == 1 and "apt-get install chromium" in one_line(err)
    assert "not installed" in err or "not an executable" in err


# ---- text, JSON, English, usage -------------------------------------------------------

def test_text_is_the_terminal_briefing_and_can_go_to_a_file(site):
    rc, out, err = report(site, "vi")
    assert rc == 0, err
    assert out.startswith("Báo cáo giao ban, tính đến ngày 20/05/2024\n")
    for title, n in zip(VI_SECTIONS, (1, 1, 1, 2)):
        assert f"\n{title}: {n}\n" in out
    assert "10/05/2024" in out and "chưa thực hiện" in out
    path = written(site, "vi", "text", "giao-ban.txt")
    assert path.read_text(encoding="utf-8") == out


def test_json_is_unchanged_and_takes_no_format(site):
    rc, out, err = site.cli("--lang", "vi", "--json", "report", "briefing", "--date", DAY)
    assert rc == 0, err
    data = json.loads(out)
    assert data["date"] == "2024-05-20"
    assert [t["id"] for t in data["behind_schedule"]] == [site.ids["behind"]]
    assert data["due_soon"][0]["deadline"]["date"] == "2024-05-27"
    rc, _, err = site.cli("--lang", "vi", "--json", "report", "briefing", "--format", "csv")
    assert rc == 2 and "--format" in one_line(err)
    rc, _, err = report(site, "vi", "--format", "docx")
    assert rc == 2 and "docx" in one_line(err)


def test_english_words_and_iso_dates(site):
    text = written(site, "en", "csv", "briefing.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["Section", "Task ID", "Title", "Lead office", "Coordinating offices",
                       "Deadline", "Status", "Progress (%)", "Flags"]
    behind = next(r for r in rows if r[1] == site.ids["behind"])
    assert behind[0] == EN_SECTIONS[0] and behind[2] == BEHIND   # titles stay as written
    assert behind[5] == "2024-05-10" and behind[6] == "open"
    quoted = next(r for r in rows if r[1] == site.ids["quoted"])
    assert quoted[6] == "in progress" and quoted[8] == "falls short on quality"

    html = written(site, "en", "html", "briefing.html").read_text(encoding="utf-8")
    for words in ("NATIONAL ASSEMBLY", "SECRETARIAT", "SOCIALIST REPUBLIC OF VIET NAM",
                  "Independence - Freedom - Happiness", "Ha Noi, 20 May 2024",
                  "BRIEFING REPORT", "Deadlines against the sittings", *EN_SECTIONS):
        assert words in html, words
    assert '<html lang="en">' in html and "QUỐC HỘI" not in html

    openpyxl = pytest.importorskip("openpyxl", reason="python3-openpyxl (make deps)")
    ws = openpyxl.load_workbook(written(site, "en", "xlsx", "briefing.xlsx")).worksheets[0]
    assert ws.cell(row=1, column=1).value == "Section"
    behind = next(r for r in ws.iter_rows(min_row=2) if r[1].value == site.ids["behind"])
    assert behind[5].number_format == "yyyy-mm-dd"
    assert behind[5].value.date() == datetime.date(2024, 5, 10)

    rc, out, _ = report(site, "en")
    assert out.startswith("Briefing report, as of 2024-05-20\n")
    assert f"\n{EN_SECTIONS[0]}: 1\n" in out


def test_usage_names_the_formats_in_both_languages(site):
    for lang in ("vi", "en"):
        rc, out, _ = site.cli("--lang", lang, "report", "--help")
        assert rc == 0 and "--format FMT" in out and "xlsx" in out and "--out FILE" in out
    rc, vi, _ = site.cli("--lang", "vi", "report", "--help")
    assert vi.startswith("cách dùng: thuky report briefing")
