"""Resource use under hostile load, against a real server: large unauthenticated uploads are refused
before their bodies are read, so the server's memory does not grow with them."""
import os
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

from conftest import free_port


def peak_memory_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def hostile_upload(port, size, results):
    """Announces `size` bytes and sends as many as the server will take, then reads its answer."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall((f"POST /api/v1/organisations/T91/estate/import?format=csv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       f"Content-Type: text/csv\r\nContent-Length: {size}\r\n\r\n").encode())
            chunk = b"A" * (1 << 20)
            sent = 0
            try:
                while sent < size:
                    s.sendall(chunk[: min(len(chunk), size - sent)])
                    sent += len(chunk)
            except OSError:
                pass  # the server answered and closed: what we want
            s.settimeout(10)
            answer = s.recv(200).decode(errors="replace")
            results.append(answer.split("\r\n", 1)[0])
    except OSError as error:
        results.append(f"error {error}")


def test_ten_large_unauthenticated_uploads_do_not_grow_memory():
    binary = os.path.abspath(os.environ["ASSURE_BINARY"])
    port = free_port()
    data = tempfile.mkdtemp(prefix="assure-resources-")
    process = subprocess.Popen([binary, "serve", "--demo", "--data-dir", data, "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None and time.time() < deadline, "Assure did not start"
            time.sleep(0.2)
        before = peak_memory_mb(process.pid)
        results = []
        threads = [threading.Thread(target=hostile_upload, args=(port, 190 * 1024 * 1024, results)) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        after = peak_memory_mb(process.pid)
        assert len(results) == 10
        assert all(" 401 " in r or r.startswith("error") for r in results), results
        assert sum(" 401 " in r for r in results) >= 5, results
        print(f"peak memory {before:.0f} MB before, {after:.0f} MB after ten 190 MB unauthenticated uploads")
        assert after - before < 150, f"memory grew from {before:.0f} MB to {after:.0f} MB"
        assert not os.path.exists(os.path.join(data, "tmp")) or os.listdir(os.path.join(data, "tmp")) == []
    finally:
        process.terminate()
        process.wait(timeout=15)
