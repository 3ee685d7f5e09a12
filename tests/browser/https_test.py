#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The dashboard over HTTPS in a real browser (docs/web.md, "HTTPS"): vigild's listener with
src/tls/testdata's certificate, headless Chromium told to trust exactly that certificate (by
its public key), a login link, the cards, and a program's live log over wss://.

Run by ctest (tests/CMakeLists.txt) with VIGILD_BIN and VIGIL_BIN; by hand:
    VIGILD_BIN=build/vigild VIGIL_BIN=build/vigil /usr/bin/python3 tests/browser/https_test.py -v
"""

import base64
import hashlib
import os
import shutil
import ssl
import subprocess
import tempfile
import unittest

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from dashboard_test import ROOT, WAIT_S, Vigild, start_browser

TESTDATA = os.path.join(ROOT, 'src', 'tls', 'testdata')
CERT = os.path.join(TESTDATA, 'cert.pem')
KEY = os.path.join(TESTDATA, 'key.pem')

CONFIG = '''
[program.ticker]
command = ["/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo \\"INFO tick $i\\"; sleep 0.2; done"]
start_seconds = "0s"
'''


def spki_hash(cert_path):
    """base64(SHA-256(SubjectPublicKeyInfo)): what --ignore-certificate-errors-spki-list takes."""
    der = subprocess.run(['openssl', 'x509', '-in', cert_path, '-pubkey', '-noout'], capture_output=True, check=True)
    key = subprocess.run(['openssl', 'pkey', '-pubin', '-outform', 'DER'], input=der.stdout, capture_output=True,
                         check=True)
    return base64.b64encode(hashlib.sha256(key.stdout).digest()).decode()


class HttpsDashboardTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.vigild = Vigild(CONFIG, name='https', tls=(CERT, KEY))
        cls.downloads = tempfile.mkdtemp(prefix='vigil-https-downloads-')
        cls.driver = start_browser(cls.downloads, extra_args=(f'--ignore-certificate-errors-spki-list={spki_hash(CERT)}',))

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.vigild.stop()
        shutil.rmtree(cls.downloads, ignore_errors=True)

    def wait(self, condition, message=''):
        def safe(d):
            try:
                return condition(d)
            except StaleElementReferenceException:
                return False
        return WebDriverWait(self.driver, WAIT_S, poll_frequency=0.05).until(safe, message)

    def test_plain_http_is_told_to_use_https(self):
        """Python's own clients: TLS verified against the certificate, and plain HTTP refused in words."""
        import http.client
        c = http.client.HTTPSConnection('127.0.0.1', self.vigild.port, timeout=WAIT_S,
                                        context=ssl.create_default_context(cafile=CERT))
        c.request('GET', '/healthz')
        r = c.getresponse()
        self.assertEqual((r.status, r.read()), (200, b'{"status":"ok"}\n'))
        c.close()
        c = http.client.HTTPConnection('127.0.0.1', self.vigild.port, timeout=WAIT_S)
        c.request('GET', '/healthz')
        r = c.getresponse()
        self.assertEqual(r.status, 400)
        self.assertIn(b'this port speaks HTTPS', r.read())
        c.close()

    def test_login_cards_and_a_live_log_over_wss(self):
        d = self.driver
        link = self.vigild.login_link()
        self.assertTrue(link.startswith(self.vigild.base + '/login?code='), link)
        d.get(link)
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, 'article[data-program="ticker"]'), 'the card over HTTPS')
        self.assertEqual(d.execute_script('return location.protocol'), 'https:')
        cookie = d.get_cookie('vigil_session')
        self.assertTrue(cookie['secure'])
        self.assertTrue(cookie['httpOnly'])
        # The log view is fed by the stream alone, and an https:// page may only open wss://
        # (a ws:// socket is blocked as mixed content): ticks arriving live came over wss://.
        d.get(self.vigild.base + '/#/program/ticker/logs')

        def ticks(_):
            return [int(l.text.split('tick ')[1].split()[0])
                    for l in d.find_elements(By.CSS_SELECTOR, '#log-lines .line') if 'tick ' in l.text]
        first = self.wait(ticks, 'ticks in the log view')
        self.wait(lambda _: max(ticks(_) or [0]) > max(first) + 2, 'newer ticks, live')
        severe = [e['message'] for e in d.get_log('browser') if e['level'] == 'SEVERE']
        self.assertEqual(severe, [])


if __name__ == '__main__':
    unittest.main()
