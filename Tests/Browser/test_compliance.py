"""Compliance end to end: the evidence library, attaching evidence once to many items, automated
checks, copy forward, the reports, and OSCAL exports validated with compliance-trestle's models
(generated from the OSCAL 1.1 JSON schemas)."""
import json
import os
import subprocess
import urllib.request

from selenium.webdriver.common.by import By
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.catalog import Catalog

from conftest import screenshot
from test_pages import serious_violations, sign_in, submit, wait_for_next_page

SHIPPED = ["ncsc-caf@3.2", "ncsc-caf@4.0", "dspt-caf@2024-25", "dspt-ndg@2023-24", "cyber-essentials@2025", "dtac@1.0",
           "nhs-service-standard@2024", "dcb0129@2018", "dcb0160@2018"]


def set_value(driver, field, value):
    """Date inputs take typed keys in the browser's locale order; set the ISO value directly."""
    driver.execute_script("document.getElementById(arguments[0]).value = arguments[1]", field, value)


def sign_out(driver):
    driver.find_element(By.CSS_SELECTOR, ".user-menu summary").click()
    wait_for_next_page(driver, lambda: driver.find_element(By.XPATH, "//button[text()='Sign out']").click())


def fetch_with_session(driver, url):
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    request = urllib.request.Request(url, headers={"Cookie": cookies})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_every_shipped_catalogue_exports_as_a_valid_oscal_catalog(tmp_path):
    binary = os.environ["ASSURE_BINARY"]
    for key in SHIPPED:
        out = tmp_path / (key.replace("@", "-") + ".json")
        subprocess.run([binary, "frameworks", "export", key, "--format", "oscal", "-o", str(out), "--data-dir", str(tmp_path)],
                       check=True, capture_output=True)
        catalog = Catalog.parse_obj(json.loads(out.read_text())["catalog"])
        labels = []
        def walk(groups):
            for group in groups or []:
                # trestle models a group as one of two shapes; either may lack controls or groups.
                labels.extend(p.value for control in (getattr(group, "controls", None) or []) for p in control.props if p.name == "label")
                walk(getattr(group, "groups", None))
        walk(catalog.groups)
        assert labels, key
    caf = json.loads((tmp_path / "ncsc-caf-3.2.json").read_text())["catalog"]
    assert sum(len(g.get("controls", [])) for o in caf["groups"] for g in o.get("groups", [])) == 39


def test_frameworks_import_checks_the_file_and_offers_it(tmp_path):
    binary = os.environ["ASSURE_BINARY"]
    data = tmp_path / "data"
    data.mkdir()
    subprocess.run([binary, "migrate", "--yes", "--data-dir", str(data)], check=True, capture_output=True)
    bad = tmp_path / "trust-map.yaml"
    bad.write_text("id: trust-map\ntitle: Trust map\nsource: ncsc-caf@3.2\ntarget: cyber-essentials@2025\nreviewed: today\n"
                   "entries:\n  - {from: Z9.z, to: CE1, relationship: equal}\n")
    result = subprocess.run([binary, "frameworks", "import", str(bad), "--data-dir", str(data)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "trust-map.yaml:7: entries[0].from: 'Z9.z' is not an item of ncsc-caf@3.2" in result.stdout + result.stderr
    good = tmp_path / "checklist.yaml"
    good.write_text("id: trust-checklist\nversion: \"2026\"\ntitle: Trust checklist\npublisher: Kingsmere IT\nlicence: Internal\n"
                    "levels:\n  - {id: not-met, label: Not met}\n  - {id: met, label: Met}\n"
                    "groups:\n  - id: G\n    title: Basics\n    items:\n      - {id: MFA, title: MFA on remote access, levels: [not-met, met]}\n")
    result = subprocess.run([binary, "frameworks", "import", str(good), "--data-dir", str(data)], capture_output=True, text=True, check=True)
    assert "Imported catalogue trust-checklist@2026" in result.stdout
    listed = subprocess.run([binary, "frameworks", "list", "--data-dir", str(data)], capture_output=True, text=True, check=True).stdout
    assert "trust-checklist@2026" in listed and "mapping ncsc-caf-3.2-to-4.0" in listed


def test_an_ig_lead_keeps_evidence_once_and_uses_it_across_frameworks(server, driver, tmp_path):
    sign_in(driver, server, "admin@avalon.example")
    try:
        evidence_once(server, driver, tmp_path)
    finally:
        sign_out(driver)


def evidence_once(server, driver, tmp_path):
    driver.get(server + "/organisations/T91/evidence")
    main = driver.find_element(By.ID, "main").text
    assert "Information security policy v4.2" in main and "Risk register review compliance" in main
    assert not serious_violations(driver)
    screenshot(driver, "evidence-library-T91")
    driver.find_element(By.LINK_TEXT, "Expired").click()
    assert "Backup restore test log" in driver.find_element(By.ID, "main").text
    assert "Information security policy" not in driver.find_element(By.ID, "main").text
    screenshot(driver, "evidence-expired-T91")

    # A disallowed type is refused by name, and nothing is added.
    bad = tmp_path / "installer.exe"
    bad.write_bytes(b"MZ\x90\x00")
    driver.get(server + "/organisations/T91/evidence")
    driver.find_element(By.ID, "upload-file").send_keys(str(bad))
    submit(driver, "main form[action*='/evidence/upload?']")
    assert "'.exe' files are not accepted as evidence" in driver.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert not serious_violations(driver)
    screenshot(driver, "evidence-upload-error")

    good = tmp_path / "mfa-rollout-report.txt"
    good.write_text("MFA roll-out: 92% of clinical accounts enrolled\n")
    driver.find_element(By.ID, "upload-file").send_keys(str(good))
    driver.find_element(By.ID, "upload-title").send_keys("MFA roll-out report")
    set_value(driver, "upload-review_by", "2027-05-31")
    submit(driver, "main form[action*='/evidence/upload?']")
    assert "MFA roll-out report" in driver.find_element(By.TAG_NAME, "h1").text
    reference = driver.current_url.rsplit("/", 1)[1]
    status, headers, body = fetch_with_session(driver, driver.current_url + "/file")
    assert status == 200 and body == good.read_bytes() and "attachment" in headers["Content-Disposition"]
    assert not serious_violations(driver)
    screenshot(driver, "evidence-item")

    # Attach it to the DSPT's B2.a, then reuse it on the CAF's B2.a from "evidence on mapped items".
    driver.get(server + "/organisations/T91/assessments/A1/items/B2.a")
    driver.find_element(By.CSS_SELECTOR, f"#evidence option[value='{reference}']").click()
    submit(driver, "main form[action$='/items/B2.a/evidence']")
    assert "MFA roll-out report" in driver.find_element(By.ID, "main").text
    driver.get(server + "/organisations/T91/assessments/A3/items/B2.a")
    main = driver.find_element(By.ID, "main").text
    assert "The same requirement in other frameworks" in main and "Evidence on mapped items" in main
    assert not serious_violations(driver)
    screenshot(driver, "assessment-item-mapped")
    submit(driver, f"main form.inline-form:has(input[value='{reference}'])")
    assert driver.find_element(By.CSS_SELECTOR, f"a[href$='/evidence/{reference}']")
    driver.get(server + f"/organisations/T91/evidence/{reference}")
    assert "A3 ncsc-caf 3.2" in driver.find_element(By.ID, "main").text and "A1 dspt-caf" in driver.find_element(By.ID, "main").text


def test_checks_reports_copy_forward_and_positions(server, driver):
    sign_in(driver, server, "admin@avalon.example")
    try:
        checks_reports_and_positions(server, driver)
    finally:
        sign_out(driver)


def checks_reports_and_positions(server, driver):
    driver.get(server + "/organisations/T91/assessments/A1")
    submit(driver, "main form[action$='/checks']")
    main = driver.find_element(By.ID, "main").text
    # A2.a from the risk register, B4.d from the demo estate.
    assert "Assure checked 2 items" in main and "live risks" in main and "devices" in main
    assert "Checked by Assure" in main
    assert not serious_violations(driver)
    screenshot(driver, "assessment-checks")

    driver.get(server + "/organisations/T91/assessments/A1/report")
    main = driver.find_element(By.ID, "main").text
    assert "Mandatory items not yet met" in main and "Expired evidence (1)" in main
    assert not serious_violations(driver)
    screenshot(driver, "assessment-report")

    status, headers, body = fetch_with_session(driver, server + "/organisations/T91/assessments/A1/oscal.json")
    assert status == 200
    results = AssessmentResults.parse_obj(json.loads(body)["assessment-results"])
    findings = results.results[0].findings
    assert any(f.target.target_id == "a2.a" for f in findings)
    status, headers, body = fetch_with_session(driver, server + "/organisations/T91/assessments/A1/results.csv")
    assert body.decode().startswith("item,title,mandatory,result")

    driver.get(server + "/organisations/T91/assessments")
    driver.find_element(By.CSS_SELECTOR, "#source option[value='A3']").click()
    driver.find_element(By.CSS_SELECTOR, "#copy-framework option[value='ncsc-caf@4.0']").click()
    driver.find_element(By.ID, "copy-period").send_keys("2026-27")
    set_value(driver, "copy-final_due", "2027-06-30")
    submit(driver, "main form[action$='/assessments/copy']")
    assert "NCSC Cyber Assessment Framework 4.0: 2026-27" in driver.find_element(By.TAG_NAME, "h1").text
    assert "Items with a result" in driver.find_element(By.ID, "main").text
    screenshot(driver, "assessment-copied")
    driver.get(server + "/organisations/T91/assessments")
    assert not serious_violations(driver)
    screenshot(driver, "assessments-progress")

    driver.get(server + "/organisations/Q9A/compliance-positions")
    main = driver.find_element(By.ID, "main").text
    assert "Standards Met" in main and "Kingsmere University Hospitals" in main
    assert not serious_violations(driver)
    screenshot(driver, "compliance-positions-Q9A")
