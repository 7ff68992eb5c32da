"""Every page reachable from the navigation: content, accessibility (axe) and a screenshot."""
import os
import re
import tempfile
from urllib.parse import urljoin, urlparse

from axe_selenium_python import Axe
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

from conftest import screenshot

SKIP = re.compile(r"^/(api/|metrics|healthz|readyz|assets/)|\.(csv|json)$|/file$")
MAX_PAGES = 400


def serious_violations(driver):
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    return [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]


def same_site_links(driver, base):
    links = set()
    for anchor in driver.find_elements(By.CSS_SELECTOR, "a[href]"):
        href = anchor.get_attribute("href") or ""
        parsed = urlparse(href)
        if href.startswith(base) and not SKIP.match(parsed.path) and not parsed.fragment:
            links.add(parsed.path + (("?" + parsed.query) if parsed.query else ""))
    return links


def replaced(old_page):
    """Whether the old page has gone. Mid-navigation chromedriver may report its node as not in the
    document rather than stale; both mean the page was replaced."""
    def check(driver):
        try:
            old_page.is_enabled()
            return False
        except (StaleElementReferenceException, WebDriverException):
            return driver.execute_script("return document.readyState") == "complete"
    return check


def wait_for_next_page(driver, action):
    page = driver.find_element(By.TAG_NAME, "html")
    action()
    WebDriverWait(driver, 10, ignored_exceptions=[WebDriverException]).until(replaced(page))


def submit(driver, form="main form"):
    """Clicks the form's submit button and waits for the next page to load."""
    wait_for_next_page(driver, lambda: driver.find_element(By.CSS_SELECTOR, form + " button[type=submit]").click())


def slug(path):
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"


def sign_in(driver, server, email, password="avalon demo passphrase"):
    driver.get(server + "/sign-in")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    submit(driver)


def fill_risk_form(driver, text, category):
    """Types each field's text and scores the risk 3×3 now, 1×3 at target."""
    for field, value in text.items():
        driver.find_element(By.ID, field).clear()
        driver.find_element(By.ID, field).send_keys(value)
    driver.find_element(By.CSS_SELECTOR, f"#category option[value={category}]").click()
    for stage, (l, c) in {"initial": (3, 3), "current": (3, 3), "target": (1, 3)}.items():
        driver.find_element(By.CSS_SELECTOR, f"#{stage}_likelihood option[value='{l}']").click()
        driver.find_element(By.CSS_SELECTOR, f"#{stage}_consequence option[value='{c}']").click()


def test_signing_in_is_required_and_returns_to_the_page_asked_for(server, driver):
    driver.get(server + "/organisations/Q9A")
    assert "/sign-in?next=" in driver.current_url
    assert not serious_violations(driver)
    screenshot(driver, "sign-in")
    driver.find_element(By.ID, "email").send_keys("admin@avalon.example")
    driver.find_element(By.ID, "password").send_keys("avalon demo passphrase")
    submit(driver)
    assert driver.current_url.endswith("/organisations/Q9A")
    assert "Sam Okafor" in driver.find_element(By.CSS_SELECTOR, ".user-menu summary").text


def test_every_page_reachable_from_the_navigation(server, driver):
    driver.get(server + "/")
    queue = sorted(same_site_links(driver, server))
    assert "/organisations" in queue
    seen, checked = set(), []
    while queue and len(checked) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        driver.get(urljoin(server, path))
        # test_injection (run first) stores markup in a risk and a filter: no page may act on it.
        assert urlparse(driver.current_url).netloc == urlparse(server).netloc, f"{path} sent the browser to {driver.current_url}"
        assert driver.execute_script("return document.querySelectorAll('x, meta[http-equiv]').length") == 0, f"{path}: markup was injected"
        title = driver.title
        assert title.endswith("– Assure"), f"{path}: title {title!r}"
        assert "Page not found" not in title and "Something went wrong" not in title, f"{path} is broken"
        h1 = driver.find_elements(By.TAG_NAME, "h1")
        assert len(h1) == 1 and h1[0].text.strip(), f"{path}: needs exactly one non-empty h1"
        assert driver.find_element(By.CSS_SELECTOR, "header .app-header__name").text == "Assure"
        assert "Assure 0." in driver.find_element(By.CSS_SELECTOR, "footer").text
        violations = serious_violations(driver)
        assert not violations, f"{path}: " + "; ".join(f"{v['id']}: {v['help']}" for v in violations)
        screenshot(driver, slug(path))
        checked.append(path)
        queue.extend(sorted(same_site_links(driver, server) - seen))
    assert len(checked) >= 30, f"only {len(checked)} pages reachable: {checked}"
    assert {"/organisations", "/organisations/new", "/organisations/import", "/organisations/Y99", "/organisations/Q9A/edit",
            "/organisations/Q9A/audit"} <= set(checked)


def test_tree_shows_the_demo_region(server, driver):
    driver.get(server + "/organisations")
    main = driver.find_element(By.ID, "main").text
    assert "29 organisations" in main
    assert "Avalon Region (demo)" in main
    assert "2 integrated care boards" in main
    driver.set_window_size(390, 844)
    driver.get(server + "/organisations/Q9A")
    screenshot(driver, "mobile-organisation-Q9A", width=390)


def test_switcher_finds_an_organisation_by_code(server, driver):
    driver.get(server + "/organisations")
    box = driver.find_element(By.ID, "org-switcher-q")
    box.send_keys("t93")
    wait_for_next_page(driver, box.submit)
    assert driver.current_url.endswith("/organisations/T93")
    assert "Fernbridge Mental Health NHS Foundation Trust" in driver.find_element(By.TAG_NAME, "h1").text
    assert "Organisation: Fernbridge" in driver.find_element(By.CSS_SELECTOR, ".org-context").text


def test_a_rejected_form_explains_each_field(server, driver):
    driver.get(server + "/organisations/new")
    driver.find_element(By.ID, "ods_code").send_keys("R!")
    driver.find_element(By.ID, "parent_ods_code").send_keys("Q9A")
    submit(driver)
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary")
    assert "There is a problem" in summary.text
    assert "Name is required" in summary.text
    assert driver.title.startswith("Error:")
    assert driver.find_element(By.ID, "parent_ods_code").get_attribute("value") == "Q9A"
    assert not serious_violations(driver)
    screenshot(driver, "form-errors")


def test_create_then_edit_an_organisation(server, driver):
    driver.get(server + "/organisations/new")
    driver.find_element(By.ID, "ods_code").send_keys("T97")
    driver.find_element(By.ID, "name").send_keys("Seaview Hospitals NHS Trust")
    driver.find_element(By.CSS_SELECTOR, "#type option[value=trust]").click()
    driver.find_element(By.ID, "parent_ods_code").send_keys("Q9B")
    submit(driver)
    assert driver.current_url.endswith("/organisations/T97")
    assert "Seaview Hospitals NHS Trust" in driver.find_element(By.TAG_NAME, "h1").text
    driver.get(server + "/organisations/T97/edit")
    name = driver.find_element(By.ID, "name")
    name.clear()
    name.send_keys("Seaview and Coast Hospitals NHS Trust")
    submit(driver)
    assert "Seaview and Coast" in driver.find_element(By.TAG_NAME, "h1").text


def test_import_reports_problems_by_line(server, driver, tmp_path):
    bad = tmp_path / "organisations.csv"
    bad.write_text("ods_code,name,type,parent_ods_code,dspt_category\nT98,Good NHS Trust,trust,Q9A,1\nT99,,trust,Q9A,9\nT90,Lost NHS Trust,trust,NOPE,1\n")
    driver.get(server + "/organisations/import")
    driver.find_element(By.ID, "file").send_keys(str(bad))
    submit(driver)
    summary = driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert "Line 3, name" in summary and "Line 3, dspt_category" in summary and "Line 4, parent_ods_code" in summary
    assert not serious_violations(driver)
    screenshot(driver, "import-errors")
    driver.get(server + "/organisations/T98")
    assert "Page not found" in driver.title, "nothing from a bad file is imported"


def test_not_found_page(server, driver):
    driver.get(server + "/organisations/NOPE")
    assert "Page not found" in driver.title
    assert "Reference:" in driver.find_element(By.ID, "main").text
    assert not serious_violations(driver)
    screenshot(driver, "not-found")


def test_audit_trail_records_a_change_and_filters(server, driver):
    driver.get(server + "/organisations/T94/edit")
    name = driver.find_element(By.ID, "name")
    name.clear()
    name.send_keys("Castle Downs and Vale Hospitals NHS Trust")
    submit(driver)
    driver.get(server + "/organisations/T94/audit")
    main = driver.find_element(By.ID, "main").text
    assert "2 entries" in main
    assert "name: Castle Downs Hospitals NHS Trust → Castle Downs and Vale Hospitals NHS Trust" in main
    assert driver.find_element(By.LINK_TEXT, "Download CSV").get_attribute("href").endswith("/organisations/T94/audit.csv")
    assert not serious_violations(driver)
    screenshot(driver, "audit-trail-T94")
    driver.get(server + "/organisations/T94/audit?from=not-a-date")
    assert "Enter the date as YYYY-MM-DD" in driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert not serious_violations(driver)
    screenshot(driver, "audit-trail-filter-error")


def test_a_manager_sees_only_their_organisation_and_sign_out_works(server, driver):
    driver.find_element(By.CSS_SELECTOR, ".user-menu summary").click()
    wait_for_next_page(driver, lambda: driver.find_element(By.XPATH, "//button[text()='Sign out']").click())
    assert driver.current_url.endswith("/sign-in")
    driver.find_element(By.ID, "email").send_keys("risk.manager@avalon.example")
    driver.find_element(By.ID, "password").send_keys("not the password at all")
    submit(driver)
    assert "The email address or password is not right." in driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    screenshot(driver, "sign-in-failed")
    driver.find_element(By.ID, "password").send_keys("avalon demo passphrase")
    submit(driver)
    page = driver.page_source  # trusts sit inside the folded ICB
    assert "Kingsmere University Hospitals NHS Foundation Trust" in page
    assert "Castle Downs" not in page, "another ICB's trust is not shown"
    assert "1 organisation<" in page
    assert not driver.find_elements(By.LINK_TEXT, "Add an organisation"), "only system administrators add organisations"
    assert not serious_violations(driver)
    screenshot(driver, "manager-tree")
    driver.get(server + "/organisations/T94")
    assert "Page not found" in driver.title, "an organisation outside one's roles is not even confirmed to exist"
    driver.get(server + "/organisations/T91")
    assert not driver.find_elements(By.LINK_TEXT, "Edit details"), "a manager does not edit the organisation's own details"
    driver.find_element(By.CSS_SELECTOR, ".user-menu summary").click()
    wait_for_next_page(driver, lambda: driver.find_element(By.XPATH, "//button[text()='Sign out']").click())
    assert driver.find_elements(By.LINK_TEXT, "Sign in")


def test_an_organisation_administrator_invites_someone_who_sets_a_password(server, driver):
    sign_in(driver, server, "icb.admin@avalon.example")
    driver.get(server + "/organisations/T91")
    driver.find_element(By.CSS_SELECTOR, ".app-nav").find_element(By.LINK_TEXT, "People").click()
    assert driver.current_url.endswith("/organisations/T91/people")
    assert "Aisha Khan" in driver.find_element(By.ID, "main").text
    assert "Tom Baines" in driver.find_element(By.ID, "main").text, "roles reaching from the ICB are listed"
    submit(driver, "main form.panel")
    assert "There is a problem" in driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert not serious_violations(driver)
    screenshot(driver, "people-T91-errors")
    driver.find_element(By.ID, "email").send_keys("new.starter@avalon.example")
    driver.find_element(By.ID, "display_name").send_keys("Nia Starter")
    driver.find_element(By.CSS_SELECTOR, "#role option[value=contributor]").click()
    submit(driver, "main form.panel")
    notice = driver.find_element(By.CSS_SELECTOR, ".notice .secret").text
    assert "/set-password?token=" in notice
    assert not serious_violations(driver)
    screenshot(driver, "people-T91-invited")
    driver.find_element(By.LINK_TEXT, "Nia Starter").click()
    assert "Nia Starter" in driver.find_element(By.TAG_NAME, "h1").text
    assert not serious_violations(driver)
    screenshot(driver, "person-invited")

    driver.get(notice)
    assert "Welcome to Assure" in driver.find_element(By.TAG_NAME, "h1").text
    screenshot(driver, "set-password")
    driver.find_element(By.ID, "password").send_keys("short")
    driver.find_element(By.ID, "confirm").send_keys("short")
    submit(driver)
    assert "at least 12 characters" in driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert not serious_violations(driver)
    screenshot(driver, "set-password-errors")
    driver.find_element(By.ID, "password").send_keys("orchid tramline quartz")
    driver.find_element(By.ID, "confirm").send_keys("orchid tramline quartz")
    submit(driver)
    assert "Your password is set" in driver.find_element(By.ID, "main").text
    sign_in(driver, server, "new.starter@avalon.example", "orchid tramline quartz")
    assert "Nia Starter" in driver.find_element(By.CSS_SELECTOR, ".user-menu summary").text


def test_a_person_creates_and_revokes_an_api_token(server, driver):
    driver.get(server + "/account")
    assert "Contributor in" in driver.find_element(By.ID, "main").text
    assert not serious_violations(driver)
    screenshot(driver, "account")
    driver.get(server + "/account/tokens")
    assert "You have not created any API tokens." in driver.find_element(By.ID, "main").text
    screenshot(driver, "tokens-empty")
    driver.find_element(By.ID, "name").send_keys("Ward dashboard feed")
    submit(driver, "main form.panel")
    token = driver.find_element(By.CSS_SELECTOR, ".notice .secret").text
    assert token.startswith("assure_")
    assert not serious_violations(driver)
    screenshot(driver, "tokens-created")
    wait_for_next_page(driver, lambda: driver.find_element(By.XPATH, "//button[text()='Revoke']").click())
    assert "Revoked" in driver.find_element(By.CSS_SELECTOR, "table").text
    screenshot(driver, "tokens-revoked")


def test_a_risk_manager_records_and_reviews_a_risk(server, driver):
    driver.find_element(By.CSS_SELECTOR, ".user-menu summary").click()
    wait_for_next_page(driver, lambda: driver.find_element(By.XPATH, "//button[text()='Sign out']").click())
    sign_in(driver, server, "risk.manager@avalon.example")
    driver.get(server + "/organisations/T91/risks")
    main = driver.find_element(By.ID, "main").text
    assert "Unsupported Windows on imaging modalities" in main
    assert "Above appetite" in main
    assert not serious_violations(driver)
    screenshot(driver, "risk-register-T91")
    driver.find_element(By.LINK_TEXT, "Add a risk").click()
    submit(driver)
    assert "Title is required" in driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert not serious_violations(driver)
    screenshot(driver, "risk-form-errors")
    fill_risk_form(driver, {"title": "Legacy fax machines for urgent referrals", "cause": "Two wards still send urgent referrals by fax",
                            "event": "A referral is lost or sent to the wrong number", "effect": "Delayed treatment; a data breach"},
                   category="data-protection")
    submit(driver)
    assert "Legacy fax machines" in driver.find_element(By.TAG_NAME, "h1").text
    driver.find_element(By.CSS_SELECTOR, "#current_likelihood option[value='2']").click()
    driver.find_element(By.ID, "rationale").send_keys("Fax retired on ward 7; NHSmail in use")
    submit(driver, "main form.panel")
    assert "Fax retired on ward 7" in driver.find_element(By.ID, "main").text
    assert not serious_violations(driver)
    screenshot(driver, "risk-reviewed")
    driver.get(server + "/organisations/T91/risks/R-0001")
    assert driver.find_elements(By.CSS_SELECTOR, "svg.sparkline")
    assert not serious_violations(driver)
    screenshot(driver, "risk-R-0001")
    driver.get(server + "/organisations/T91/risks/heat-map")
    assert driver.find_elements(By.CSS_SELECTOR, "svg.heat-map a")
    assert not serious_violations(driver)
    screenshot(driver, "heat-map-T91")
    driver.get(server + "/organisations/T91/risk-settings")
    assert "Only the Low band" not in driver.page_source
    assert "partial" in driver.find_element(By.ID, "main").text
    screenshot(driver, "risk-settings-T91")

    driver.get(server + "/organisations/T91/baf")
    main = driver.find_element(By.ID, "main").text
    assert "SO2 Resilient, secure digital services" in main
    assert "Limited assurance" in main
    assert not serious_violations(driver)
    screenshot(driver, "baf-T91")
    driver.get(server + "/organisations/T91/baf/SO2")
    assert not serious_violations(driver)
    screenshot(driver, "baf-objective-SO2")
    driver.get(server + "/organisations/T91/risks/import")
    assert not serious_violations(driver)
    screenshot(driver, "risk-import")


def test_an_ig_lead_records_an_assessment_result(server, driver):
    driver.get(server + "/organisations/T91/assessments")
    assert "Data Security and Protection Toolkit, CAF-aligned" in driver.find_element(By.ID, "main").text
    assert not serious_violations(driver)
    screenshot(driver, "assessments-T91")
    driver.find_element(By.LINK_TEXT, "A1").click()
    main = driver.find_element(By.ID, "main").text
    assert "Mandatory not yet met" in main
    assert not serious_violations(driver)
    screenshot(driver, "assessment-A1")
    driver.get(server + "/organisations/T91/assessments/A1/items/A1.b")
    driver.find_element(By.CSS_SELECTOR, "#level option[value=achieved]").click()
    driver.find_element(By.ID, "rationale").send_keys("Roles in the IG framework, approved by the board")
    submit(driver, "main form[action$='/items/A1.b']")
    assert driver.current_url.endswith("/organisations/T91/assessments/A1")
    driver.get(server + "/organisations/T91/assessments/A1/items/A1.b")
    assert "Roles in the IG framework" in driver.find_element(By.ID, "main").text
    assert not serious_violations(driver)
    screenshot(driver, "assessment-item-A1.b")


def test_the_icb_sees_escalated_risks_below(server, driver):
    driver.find_element(By.CSS_SELECTOR, ".user-menu summary").click()
    wait_for_next_page(driver, lambda: driver.find_element(By.XPATH, "//button[text()='Sign out']").click())
    sign_in(driver, server, "oversight@avalon.example")
    driver.get(server + "/organisations/Q9A/escalated-risks")
    main = driver.find_element(By.ID, "main").text
    assert "Unsupported Windows on imaging modalities" in main
    assert not serious_violations(driver)
    screenshot(driver, "escalated-Q9A")
    driver.find_element(By.CSS_SELECTOR, ".user-menu summary").click()
    wait_for_next_page(driver, lambda: driver.find_element(By.XPATH, "//button[text()='Sign out']").click())
    sign_in(driver, server, "icb.admin@avalon.example")
    driver.get(server + "/organisations/T91/risk-settings")
    assert driver.find_element(By.ID, "band_3_days").get_attribute("value") == "30"
    driver.find_element(By.ID, "band_1_upper").clear()
    driver.find_element(By.ID, "band_1_upper").send_keys("5")
    submit(driver, "main form[action$='/risk-settings/matrix']")
    assert "No band grades the score 6" in driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert not serious_violations(driver)
    screenshot(driver, "risk-settings-matrix-errors")
