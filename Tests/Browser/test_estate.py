"""Estate end to end in Chromium: the demo estate's overview and roll-up, filtered device lists,
a device, a vulnerability with its affected devices, an inventory upload with a rejected row,
unmapped software, the cyber alerts board with an acknowledgement, and the devices CSV."""
import csv
import io
import os
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import screenshot
from test_compliance import fetch_with_session, sign_out
from test_pages import serious_violations, sign_in, submit, wait_for_next_page


def test_estate_overview_devices_and_vulnerability(server, driver):
    driver.delete_all_cookies()
    sign_in(driver, server, "risk.manager@avalon.example")
    driver.get(server + "/organisations/T91/estate")
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "Patch compliance" in body and "Known exploited" in body and "Unsupported OS" in body
    assert "Most widespread vulnerabilities" in body
    assert not serious_violations(driver)
    screenshot(driver, "estate-T91")

    driver.get(server + "/organisations/T91/estate/devices?exposure=unsupported-os")
    rows = driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    assert rows, "the demo estate has devices on unsupported operating systems"
    assert not serious_violations(driver)
    screenshot(driver, "estate-T91-devices-unsupported-os")

    driver.get(server + "/organisations/T91/estate/devices?exposure=unsupported-os")
    link = driver.find_element(By.CSS_SELECTOR, "main table tbody tr td a")
    wait_for_next_page(driver, link.click)
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "Vulnerabilities" in body and "Installed software" in body
    assert not serious_violations(driver)
    screenshot(driver, "estate-device")

    driver.get(server + "/organisations/T91/estate")
    top = driver.find_element(By.XPATH, "//h2[text()='Most widespread vulnerabilities']/following::table[1]//tbody/tr[1]/td[1]/a")
    wait_for_next_page(driver, top.click)
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "Affected devices" in body and "Devices affected here" in body
    assert driver.find_elements(By.CSS_SELECTOR, "main table tbody tr"), "the most widespread CVE affects devices"
    assert not serious_violations(driver)
    screenshot(driver, "estate-vulnerability-top")

    status, headers, data = fetch_with_session(driver, server + "/organisations/T91/estate/devices.csv?exposure=unsupported-os")
    assert status == 200 and "text/csv" in headers["Content-Type"]
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert rows and all(r["unsupported_os"] == "yes" for r in rows)
    driver.delete_all_cookies()


def test_inventory_upload_reports_rejected_rows_and_unmapped_titles(server, driver):
    driver.delete_all_cookies()
    sign_in(driver, server, "risk.manager@avalon.example")
    driver.get(server + "/organisations/T91/estate")
    path = os.path.join(tempfile.mkdtemp(), "sccm.csv")
    with open(path, "w") as f:
        f.write("ResourceID,Netbios_Name0,Caption0,BuildExt,DisplayName0,Publisher0,Version0\n")
        f.write("9001,T91-WS-9001,Microsoft Windows 10 Enterprise,10.0.19045.3930,Google Chrome,Google LLC,116.0.5845.140\n")
        f.write("9001,T91-WS-9001,Microsoft Windows 10 Enterprise,10.0.19045.3930,Trust Bed Manager,Avalon Health IT,4.2\n")
        f.write("9002,T91-WS-9002,Microsoft Windows 11 Enterprise,ten,Google Chrome,Google LLC,141.0.7390.54\n")
        f.write("9003,T91-MED-9003,Microsoft Windows 7 Enterprise,6.1.7601.24546,,,\n")
    Select(driver.find_element(By.ID, "format")).select_by_value("sccm")
    driver.find_element(By.ID, "file").send_keys(path)
    wait_for_next_page(driver, lambda: driver.find_element(By.XPATH, "//button[text()='Import and analyse']").click())
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "1 row rejected" in body
    assert "Line 4, os_build" in body
    assert "2 devices added" in body
    assert not serious_violations(driver)
    screenshot(driver, "estate-import-result")

    driver.get(server + "/organisations/T91/estate/devices/9001")
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "CVE-2023-4863" in body, "Chrome 116.0.5845.140 has the libwebp flaw"
    screenshot(driver, "estate-device-9001")

    driver.get(server + "/organisations/T91/estate/unmapped")
    assert "Trust Bed Manager" in driver.find_element(By.TAG_NAME, "main").text
    assert not serious_violations(driver)
    screenshot(driver, "estate-unmapped")

    # BlueKeep (known exploited, used in ransomware) on the Windows 7 device just imported.
    driver.get(server + "/organisations/T91/estate/vulnerabilities/CVE-2019-0708")
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "Since 3 November 2021" in body and "T91-MED-9003" in body
    assert not serious_violations(driver)
    screenshot(driver, "estate-vulnerability-CVE-2019-0708")

    # A device the inventory lists no software for says so, and still shows its OS's findings.
    driver.get(server + "/organisations/T91/estate/devices/9003")
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "The inventory lists no software on this device" in body
    assert "CVE-2019-0708" in body and "Windows 7" in body
    assert not serious_violations(driver)
    screenshot(driver, "estate-device-9003")
    driver.delete_all_cookies()


def test_cyber_alert_acknowledged_with_affected_devices(server, driver):
    driver.delete_all_cookies()
    sign_in(driver, server, "risk.manager@avalon.example")
    driver.get(server + "/organisations/T91/cyber-alerts")
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "CC-DEMO-1" in body and "Devices affected here" in body
    screenshot(driver, "cyber-alerts-T91")
    # "Not affected" needs a reason: the form comes back with the message beside the note.
    Select(driver.find_element(By.ID, "status-CC-DEMO-1")).select_by_value("not-affected")
    wait_for_next_page(driver, lambda: driver.find_element(By.XPATH, "//button[text()='Acknowledge and save']").click())
    assert "There is a problem" in driver.find_element(By.TAG_NAME, "main").text
    assert driver.find_element(By.ID, "note-CC-DEMO-1-error").text.endswith("Say why the organisation is not affected")
    assert not serious_violations(driver)
    screenshot(driver, "cyber-alerts-T91-problem")
    Select(driver.find_element(By.ID, "status-CC-DEMO-1")).select_by_value("mitigated")
    driver.find_element(By.ID, "note-CC-DEMO-1").send_keys("Legacy scanners isolated on VLAN 40; SMBv1 disabled by policy.")
    wait_for_next_page(driver, lambda: driver.find_element(By.XPATH, "//button[text()='Acknowledge and save']").click())
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "Acknowledged" in body and "Mitigated" in body
    assert not serious_violations(driver)
    screenshot(driver, "cyber-alerts-T91-acknowledged")
    driver.delete_all_cookies()


def test_a_title_rule_with_problems_comes_back_beside_its_fields(server, driver):
    driver.delete_all_cookies()
    sign_in(driver, server, "admin@avalon.example")
    driver.get(server + "/organisations/T91/estate/unmapped")
    driver.find_element(By.ID, "name_pattern").send_keys("Trust Bed Manager")
    driver.find_element(By.ID, "cpe_vendor").send_keys("Kingsmere Trust")
    wait_for_next_page(driver, lambda: driver.find_element(By.XPATH, "//button[text()='Add rule']").click())
    assert "There is a problem" in driver.find_element(By.TAG_NAME, "main").text
    assert driver.find_element(By.ID, "name_pattern").get_attribute("value") == "Trust Bed Manager"
    assert "lower-case letters" in driver.find_element(By.ID, "cpe_vendor-error").text
    assert driver.find_element(By.ID, "cpe_product-error").text
    assert not serious_violations(driver)
    screenshot(driver, "estate-unmapped-problem")
    driver.delete_all_cookies()


def test_icb_sees_the_estates_below_it(server, driver):
    driver.delete_all_cookies()
    sign_in(driver, server, "oversight@avalon.example")
    driver.get(server + "/organisations/Q9A/estate")
    body = driver.find_element(By.TAG_NAME, "main").text
    assert "Organisations below" in body and "T91" in body
    assert not serious_violations(driver)
    screenshot(driver, "estate-Q9A")
    driver.delete_all_cookies()
