"""Key indicators end to end in Chromium: a board member's dashboard and its links, the board pack
with a period chosen (and a wrong one refused), and an oversight team's roll-up, ranking, drill-down
and CSV."""
import csv
import io
import os
import subprocess

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import screenshot
from test_compliance import fetch_with_session
from test_pages import serious_violations, sign_in, submit, wait_for_next_page


def test_board_member_dashboard_links_to_what_each_figure_counts(server, driver):
    driver.delete_all_cookies()
    sign_in(driver, server, "board.member@avalon.example")
    driver.get(server + "/organisations/T91")
    main = driver.find_element(By.TAG_NAME, "main")
    tiles = main.find_elements(By.CSS_SELECTOR, ".kpi")
    assert len(tiles) == 11
    for heading in ["Key indicators", "Top risks", "Heat map", "Compliance gaps", "Estate exposure", "Due in the next 30 days"]:
        assert heading in main.text
    # Every tile says its rating in words as well as colour.
    assert all(tile.find_elements(By.CSS_SELECTOR, ".tag") for tile in tiles)
    assert "Edit details" not in main.text, "a board member reads, never edits"
    assert not serious_violations(driver)
    screenshot(driver, "dashboard-T91")
    figure = driver.find_element(By.XPATH, "//li[contains(@class,'kpi')][.//a[text()='Risks above appetite']]//p[contains(@class,'card__figure')]").text
    wait_for_next_page(driver, driver.find_element(By.LINK_TEXT, "Risks above appetite").click)
    assert "above_appetite=yes" in driver.current_url
    assert f"{figure} risk" in driver.find_element(By.TAG_NAME, "main").text, "the register shows the tile's count"
    # On a phone the tiles stack and nothing is cut off.
    driver.set_window_size(400, 900)
    driver.get(server + "/organisations/T91")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 400, f"the dashboard scrolls sideways on a phone ({width}px)"
    screenshot(driver, "dashboard-T91-phone", width=400)
    driver.set_window_size(1280, 1000)
    driver.delete_all_cookies()


def test_board_pack_for_a_chosen_period(server, driver):
    driver.delete_all_cookies()
    sign_in(driver, server, "board.member@avalon.example")
    driver.get(server + "/organisations/T91")
    wait_for_next_page(driver, driver.find_element(By.LINK_TEXT, "Board pack").click)
    text = driver.find_element(By.TAG_NAME, "main").text
    for section in ["1 Summary", "2 Board Assurance Framework", "3 Risk heat map", "4 Risk movement", "5 DSPT and CAF position",
                    "6 Cyber posture", "7 Exceptions", "Appendix: data sources and definitions"]:
        assert section in text
    assert not serious_violations(driver)
    screenshot(driver, "board-pack-T91")
    # A period that ends before it starts is refused, saying why.
    for field, value in [("from", "2026-10-01"), ("to", "2026-09-01")]:
        box = driver.find_element(By.ID, field)
        driver.execute_script("arguments[0].value = arguments[1]", box, value)
    submit(driver, "main form.inline-form")
    body = driver.find_element(By.TAG_NAME, "body").text
    assert "before it starts" in body
    assert not serious_violations(driver)
    screenshot(driver, "board-pack-bad-period")
    driver.delete_all_cookies()


def test_oversight_ranks_drills_down_read_only_and_exports(server, driver):
    driver.delete_all_cookies()
    sign_in(driver, server, "oversight@avalon.example")
    driver.get(server + "/organisations/Y99")
    wait_for_next_page(driver, driver.find_element(By.LINK_TEXT, "Oversight of organisations below").click)
    main = driver.find_element(By.TAG_NAME, "main")
    assert "Population" in main.text and "League table" in main.text
    # Other tests may add organisations to the shared demo, so the count is read from the page.
    below = int(driver.find_element(By.CSS_SELECTOR, "main .lede").text.split(" ")[0])
    assert below >= 28
    screenshot(driver, "oversight-Y99")
    assert not serious_violations(driver)
    Select(driver.find_element(By.ID, "indicator")).select_by_visible_text("DSPT items at target")
    Select(driver.find_element(By.ID, "type")).select_by_visible_text("NHS foundation trusts")
    submit(driver, "main form.inline-form")
    assert "indicator=dspt-position" in driver.current_url
    rows = driver.find_elements(By.CSS_SELECTOR, "main table.table--compact tbody tr")
    assert rows and all("NHS foundation trust" in row.text for row in rows)
    screenshot(driver, "oversight-Y99-dspt-foundation-trusts")
    first = rows[0].find_element(By.CSS_SELECTOR, "td a")
    name = first.text
    wait_for_next_page(driver, first.click)
    assert name in driver.find_element(By.TAG_NAME, "h1").text
    assert "Edit details" not in driver.find_element(By.TAG_NAME, "main").text, "drill-down is read-only"
    status, headers, data = fetch_with_session(driver, server + "/organisations/Y99/oversight.csv")
    assert status == 200 and "text/csv" in headers["Content-Type"]
    records = list(csv.DictReader(io.StringIO(data.decode())))
    assert len(records) == below and {"T91", "Q9B", "Z99020"} <= {r["ods_code"] for r in records}
    driver.get(server + "/organisations")
    wait_for_next_page(driver, driver.find_element(By.LINK_TEXT, "National oversight").click)
    assert "National oversight" in driver.find_element(By.TAG_NAME, "h1").text
    # Before axe, which scrolls the wide table while it checks contrast.
    screenshot(driver, "oversight-national")
    assert not serious_violations(driver)
    driver.delete_all_cookies()


def test_report_board_command_writes_a_pdf_or_nothing(tmp_path):
    """`assure report board`: bad input named, no Chromium said plainly, and never a partial file."""
    binary = os.environ["ASSURE_BINARY"]
    data = str(tmp_path / "data")

    def assure(*arguments, env=None):
        return subprocess.run([binary, *arguments, "--data-dir", data], capture_output=True, text=True, env=env, timeout=300)

    assert assure("migrate", "--yes").returncode == 0
    assert assure("demo", "region").returncode == 0
    out = tmp_path / "pack.pdf"
    cases = [
        (["--org", "T91", "--out", str(out), "--from", "2026-10-01", "--to", "2026-09-01"], None, "--to: The period ends (2026-09-01) before it starts"),
        (["--org", "NOPE1", "--out", str(out)], None, "no organisation has the ODS code 'NOPE1'"),
        (["--org", "T91", "--out", str(tmp_path / "pack.docx")], None, "--out must end in .pdf or .html"),
        (["--out", str(out)], None, "Missing expected argument '--org <org>'"),
        (["--org", "T91", "--out", str(out)], {**os.environ, "PATH": str(tmp_path)}, "PDF needs Chromium"),
    ]
    for arguments, env, message in cases:
        result = assure("report", "board", *arguments, env=env)
        assert result.returncode != 0, arguments
        assert message in result.stdout + result.stderr, (arguments, result.stdout + result.stderr)
        assert not out.exists(), "a failed report leaves no file"
    html = tmp_path / "pack.html"
    assert assure("report", "board", "--org", "T91", "--out", str(html)).returncode == 0
    assert "1 Summary" in html.read_text() and "<style>" in html.read_text(), "the HTML stands alone"
    result = assure("report", "board", "--org", "T91", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "pack.html", "pack.pdf"], "no temporary files left beside the PDF"
