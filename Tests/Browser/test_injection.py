"""Markup typed into fields, search boxes and query parameters stays text in a real browser, and
no page is sent anywhere else (a meta refresh is not stopped by the CSP, so it must never exist)."""
from urllib.parse import quote, urlparse

from selenium.webdriver.common.by import By

from conftest import screenshot
from test_pages import fill_risk_form, serious_violations, sign_in, submit, wait_for_next_page

PAYLOAD = '"\'<>& "><meta http-equiv="refresh" content="0;url=http://elsewhere.example/"><x y="'


def assert_untouched(driver, server, what):
    driver.implicitly_wait(0)
    assert urlparse(driver.current_url).netloc == urlparse(server).netloc, f"{what}: the page left for {driver.current_url}"
    added = driver.execute_script("return document.querySelectorAll('x, meta[http-equiv]').length")
    assert added == 0, f"{what}: the payload added {added} element(s)"


def sign_out(driver):
    summary = driver.find_elements(By.CSS_SELECTOR, ".user-menu summary")
    if summary and driver.find_elements(By.XPATH, "//button[text()='Sign out']"):
        summary[0].click()
        wait_for_next_page(driver, lambda: driver.find_element(By.XPATH, "//button[text()='Sign out']").click())


def test_markup_in_fields_and_queries_stays_text_and_the_page_stays_on_its_origin(server, driver):
    driver.get(server + "/organisations")
    sign_out(driver)
    # Reflected before sign-in, and a next address that a browser would read as another site.
    for hostile in ["/x" + PAYLOAD, "/%09/elsewhere.example", "/\\elsewhere.example"]:
        driver.get(server + "/sign-in?next=" + quote(hostile, safe="%"))
        assert_untouched(driver, server, f"sign-in with next={hostile!r}")
        sign_in(driver, server, "admin@avalon.example")
        assert_untouched(driver, server, f"after signing in with next={hostile!r}")
        assert urlparse(driver.current_url).path == "/organisations"
        sign_out(driver)
    sign_in(driver, server, "admin@avalon.example")
    # Stored: a risk whose title and department hold the payload.
    driver.get(server + "/organisations/T91/risks/new")
    title = "Core switch \"B\" failure " + PAYLOAD
    fill_risk_form(driver, {"title": title, "cause": PAYLOAD, "event": PAYLOAD, "effect": PAYLOAD, "department": PAYLOAD,
                            "owner": "risk.manager@avalon.example"}, category="cyber-security")
    submit(driver)
    assert_untouched(driver, server, "the new risk's page")
    errors = " ".join(e.text for e in driver.find_elements(By.CSS_SELECTOR, ".error-summary"))
    assert "<meta http-equiv" in driver.find_element(By.TAG_NAME, "h1").text, f"the title is shown as typed ({errors})"
    screenshot(driver, "injection-risk")
    risk_page = driver.current_url
    for page in ["/organisations/T91/risks", "/organisations/T91/risks/heat-map", "/organisations/T91", "/organisations/T91/audit",
                 urlparse(risk_page).path + "/edit"]:
        driver.get(server + page)
        assert_untouched(driver, server, page)
    assert driver.find_element(By.ID, "title").get_attribute("value") == title, "the edit form keeps the whole title"
    assert not serious_violations(driver)
    # Search boxes and filters.
    for page in ["/organisations?q=" + quote(PAYLOAD), "/organisations/T91/risks?q=" + quote(PAYLOAD) + "&category=" + quote(PAYLOAD),
                 "/organisations/T91/audit?actor=" + quote(PAYLOAD), "/organisations/T91/estate/devices?q=" + quote(PAYLOAD)]:
        driver.get(server + page)
        assert_untouched(driver, server, page)
    driver.get(server + "/organisations")
    box = driver.find_element(By.ID, "org-switcher-q")
    box.send_keys(PAYLOAD)
    wait_for_next_page(driver, lambda: driver.find_element(By.CSS_SELECTOR, ".org-switcher button[type=submit]").click())
    assert_untouched(driver, server, "the organisation switcher")
    sign_out(driver)
