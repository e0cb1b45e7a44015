"""The web face in a real browser (headless Chromium through Selenium),
one browser session for the whole file: an office opens the link in its
alert e-mail, acknowledges with the button and reports progress with the
form; the Secretariat's board renders the Vietnamese report and the SVG
timeline, prints to PDF with its Vietnamese text, and updates live when a
task changes."""
import base64
import shutil
import subprocess

import pytest

from conftest import add_task
from web_site import OFFICE, fire_one_alert, site  # noqa: F401 (fixture)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not CHROMEDRIVER or not shutil.which("chromium"),
                                reason="needs chromium and chromium-driver (make deps)")


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--lang=vi-VN", "--window-size=1280,1000"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "vi-VN,vi"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER),
                              options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait(driver, what, predicate, timeout=15):
    return WebDriverWait(driver, timeout).until(lambda d: predicate(d), what)


def test_an_office_acknowledges_from_its_mail_and_reports_progress(browser, site):
    task, link = fire_one_alert(site)
    browser.get(site.base + link)
    assert "Báo cáo thẩm tra dự án Luật Đất đai" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_element(By.ID, "alert-state").text.startswith("Đã gửi")
    browser.find_element(By.ID, "ack").click()
    wait(browser, "the acknowledged page",
         lambda d: d.find_element(By.ID, "alert-state").text.startswith("Đã xác nhận"))
    assert browser.current_url.endswith("?done=ack")  # Post/Redirect/Get
    assert "Đã xác nhận" in browser.find_element(By.CLASS_NAME, "flash").text
    assert site.alert(link.split("/")[2])["state"] == "acked"
    # the progress form: percent, flag, a required note
    form = browser.find_element(By.CSS_SELECTOR, "form.progress")
    percent = form.find_element(By.NAME, "progress")
    percent.clear()
    percent.send_keys("75")
    Select(form.find_element(By.NAME, "flag")).select_by_value("quality")
    form.find_element(By.TAG_NAME, "button").click()
    # the browser itself refuses an empty note (required): nothing is sent
    assert site.json("task", "show", task)["progress"] == 0
    form = browser.find_element(By.CSS_SELECTOR, "form.progress")
    form.find_element(By.NAME, "note").send_keys("Đã trình dự thảo báo cáo lần 2")
    form.find_element(By.TAG_NAME, "button").click()
    wait(browser, "the recorded report", lambda d: d.current_url.endswith("?done=progress"))
    row = browser.find_element(By.CSS_SELECTOR, f'tr[data-task="{task[1:]}"]')
    assert "75%" in row.text and "Không bảo đảm chất lượng" in row.text
    detail = site.json("task", "show", task)
    assert detail["progress"] == 75 and "quality" in detail["flags"]
    assert detail["history"][-1]["note"] == "Đã trình dự thảo báo cáo lần 2"
    assert "HeadlessChrome" in detail["history"][-1]["caller"]
    # back and reload do not send anything again
    browser.refresh()
    assert len(site.json("task", "show", task)["history"]) == len(detail["history"])


def test_the_board_renders_prints_and_follows_the_feed(browser, site, tmp_path):
    site.ok("session", "add", "--id", "XV-7", "--kind", "plenary", "--title",
            "Kỳ họp thứ bảy, Quốc hội khóa XV", "--start", "2024-05-20", "--end", "2024-06-28")
    late = add_task(site, "Báo cáo kết quả giám sát chuyên đề", lead=OFFICE, due="2024-04-15")
    soon = add_task(site, "Tờ trình dự án Luật Thủ đô (sửa đổi)", lead=OFFICE, due="2024-05-10")
    login = site.token("login", label="Tổng Thư ký")
    browser.get(site.base + login["path"])
    wait(browser, "the board", lambda d: d.find_elements(By.ID, "timeline"))
    assert browser.current_url == site.base + "/"
    assert browser.find_element(By.TAG_NAME, "h1").text == \
        "Tình hình thực hiện chương trình công tác"
    behind = browser.find_element(By.ID, "behind")
    assert "Chậm tiến độ" in behind.text and "Báo cáo kết quả giám sát chuyên đề" in behind.text
    svg = browser.find_element(By.ID, "timeline")
    assert svg.find_elements(By.CSS_SELECTOR, "rect.sitting")
    marks = {c.get_attribute("data-task") for c in svg.find_elements(By.CSS_SELECTOR,
                                                                     "circle.deadline")}
    assert {late[1:], soon[1:]} <= marks
    assert svg.find_elements(By.ID, "today")
    # printed to PDF (A4), the Vietnamese text is there
    pdf = base64.b64decode(browser.print_page())
    (tmp_path / "board.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "board.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Tình hình thực hiện chương trình công tác" in text and "Chậm tiến độ" in text
    # a task changes: the open board follows without a reload
    quality = lambda d: d.find_element(By.CSS_SELECTOR, "#quality .count").text  # noqa: E731
    assert quality(browser) == "0"
    wait(browser, "the feed to connect", lambda d: d.execute_script(
        "return document.getElementById('live') && !document.getElementById('live')"
        ".classList.contains('off')"))
    site.ok("task", "update", soon, "--flag", "quality")
    wait(browser, "the board to follow the feed", lambda d: quality(d) == "1")
    assert "Tờ trình dự án Luật Thủ đô" in browser.find_element(By.ID, "quality").text
    # a task's history is one click away
    browser.find_element(By.CSS_SELECTOR, f'#quality a[href="/?task={soon[1:]}"]').click()
    wait(browser, "the history", lambda d: d.find_elements(By.ID, "history"))
    assert "flag" in browser.find_element(By.ID, "history").text
