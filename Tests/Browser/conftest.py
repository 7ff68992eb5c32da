"""Fixtures: a real Assure server with demo data, and headless Chromium."""
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

HERE = os.path.dirname(os.path.abspath(__file__))
SCREENSHOTS = os.path.join(HERE, "screenshots")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    binary = os.environ["ASSURE_BINARY"]
    port = free_port()
    data = tempfile.mkdtemp(prefix="assure-browser-")
    log = open(os.path.join(data, "server.log"), "w")
    process = subprocess.Popen(
        [binary, "serve", "--demo", "--data-dir", data, "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.time() > deadline:
            log.close()
            raise RuntimeError("Assure did not become ready:\n" + open(log.name).read())
        time.sleep(0.2)
    yield base
    # Graceful shutdown: SIGTERM must end the process cleanly and promptly.
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=15)
    log.close()
    assert code == 0, f"assure exited {code} on SIGTERM:\n" + open(log.name).read()


@pytest.fixture(scope="session")
def driver():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--disable-gpu"]:
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    browser.set_page_load_timeout(30)
    os.makedirs(SCREENSHOTS, exist_ok=True)
    yield browser
    browser.quit()


def screenshot(driver, name, width=1280):
    """Saves a full-page screenshot: the window is stretched to the page's height first."""
    height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    driver.set_window_size(width, min(max(height + 120, 600), 6000))
    driver.execute_script("window.scrollTo(0, 0)")
    path = os.path.join(SCREENSHOTS, name + ".png")
    driver.save_screenshot(path)
    driver.set_window_size(1280, 1000)
    return path
