#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The dashboard in a real browser: headless Chromium driven by Selenium against the real
vigild, started here with a config of a few programs, a task and a check.

Run by ctest (tests/CMakeLists.txt) with VIGILD_BIN and VIGIL_BIN; by hand:
    VIGILD_BIN=build/vigild VIGIL_BIN=build/vigil /usr/bin/python3 tests/browser/dashboard_test.py -v
With VIGIL_SCREENSHOTS=DIR it saves a screenshot of each page there (docs/images/).

Debian's python3-selenium is for /usr/bin/python3 (not a pyenv python3). The tests that
need the stream (GET /v1/stream) or the config routes (/v1/programs/NAME/config) are skipped,
saying so, when this vigild does not have them.
"""

import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VIGILD = os.environ.get('VIGILD_BIN', os.path.join(ROOT, 'build', 'vigild'))
VIGIL = os.environ.get('VIGIL_BIN', os.path.join(ROOT, 'build', 'vigil'))
CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
SHOTS = os.environ.get('VIGIL_SCREENSHOTS', '')
WAIT_S = 20

# A program that logs a line of each level, some in colour, to stdout and a warning to stderr.
LOGGER = r'''
i=0
while :; do
  i=$((i+1))
  echo "DEBUG polling the queue ($i)"
  echo "INFO handled request $i in 3 ms"
  printf '\033[32mINFO\033[0m user \033[1;34malice\033[0m logged in\n'
  echo "WARNING slow disk: 120 ms for write $i" >&2
  if [ $((i % 3)) -eq 0 ]; then echo "ERROR cannot reach db: connection refused ($i)"; fi
  sleep 0.4
done
'''

# Stops after a second's grace, so the spinner of Stop can be seen.
WORKER = r'''
trap 'echo "INFO worker stopping"; sleep 1; exit 0' TERM
echo "INFO worker started with MODE=${MODE:-1}"
while :; do sleep 0.2; done
'''


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def toml_string(s):
    return json.dumps(s)


class Vigild:
    """The real vigild in a temp dir, with [http] on a free port (HTTPS with `tls`: the
    certificate and key files)."""

    def __init__(self, body, name='vigil', tls=None):
        self.dir = tempfile.mkdtemp(prefix=f'{name}-browser-')
        self.port = free_port()
        self.socket = os.path.join(self.dir, 'vigil.sock')
        self.config = os.path.join(self.dir, 'vigil.toml')
        with open(self.config, 'w') as f:
            f.write('[vigil]\n'
                    f'state_dir = {toml_string(os.path.join(self.dir, "state"))}\n'
                    f'log_dir = {toml_string(os.path.join(self.dir, "logs"))}\n'
                    f'socket = {toml_string(self.socket)}\n\n'
                    '[http]\n'
                    f'listen = "127.0.0.1:{self.port}"\n' +
                    (f'tls_cert = {toml_string(tls[0])}\ntls_key = {toml_string(tls[1])}\n' if tls else '') +
                    '\n' + body)
        self.stderr = open(os.path.join(self.dir, 'vigild.stderr'), 'w')
        self.proc = subprocess.Popen([VIGILD, '--config', self.config], stdout=self.stderr, stderr=self.stderr)
        deadline = time.time() + WAIT_S
        while self.vigil('status', check=False).returncode == 3:
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError('vigild did not start: ' + open(self.stderr.name).read())
            time.sleep(0.05)
        self.token = self.vigil('token').stdout.strip()
        self.base = f'{"https" if tls else "http"}://127.0.0.1:{self.port}'

    def vigil(self, *args, check=True):
        return subprocess.run([VIGIL, '--socket', self.socket, *args], capture_output=True, text=True, check=check,
                              timeout=60)

    def login_link(self, viewer=False):
        return self.vigil('web', *(['--viewer'] if viewer else [])).stdout.strip().splitlines()[0]

    def api(self, method, path, body=None):
        """The API over TCP with the admin token: (status, parsed body or text)."""
        c = http.client.HTTPConnection('127.0.0.1', self.port, timeout=60)
        headers = {'Authorization': f'Bearer {self.token}'}
        if body is not None:
            headers['Content-Type'] = 'application/json'
        c.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        r = c.getresponse()
        data = r.read().decode()
        c.close()
        try:
            return r.status, json.loads(data)
        except ValueError:
            return r.status, data

    def program(self, name):
        status, body = self.api('GET', f'/v1/programs/{name}')
        assert status == 200, body
        return body

    def has_stream(self):
        """Whether GET /v1/stream upgrades to a WebSocket here."""
        with socket.create_connection(('127.0.0.1', self.port), timeout=10) as s:
            s.sendall((f'GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nOrigin: {self.base}\r\n'
                       f'Authorization: Bearer {self.token}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n'
                       'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n').encode())
            return s.recv(64).startswith(b'HTTP/1.1 101')

    def has_config_routes(self):
        status, body = self.api('GET', '/v1/programs/worker/config')
        return status == 200

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_browser(download_dir, width=1280, height=900, extra_args=()):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                f'--window-size={width},{height}', f'--user-data-dir={tempfile.mkdtemp(prefix="vigil-chromium-")}',
                '--force-color-profile=srgb', '--hide-scrollbars', '--no-first-run', '--disable-extensions',
                *extra_args):
        options.add_argument(arg)
    options.add_experimental_option('prefs', {
        'download.default_directory': download_dir,
        'download.prompt_for_download': False,
        'download.directory_upgrade': True,
    })
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd('Browser.setDownloadBehavior', {'behavior': 'allow', 'downloadPath': download_dir})
    # Every CSP violation of every page, kept for the tests to read.
    driver.execute_cdp_cmd('Page.addScriptToEvaluateOnNewDocument', {'source': '''
        window.__csp = [];
        document.addEventListener('securitypolicyviolation',
            (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));
    '''})
    return driver


CONFIG = f'''
[health]
every = "1s"
history = true

[program.logger]
command = ["/bin/sh", "-c", {toml_string(LOGGER)}]
start_seconds = "0s"

[program.worker]
command = ["/bin/sh", "-c", {toml_string(WORKER)}]
start_seconds = "0s"
stop_timeout = "5s"

[program.web]
command = ["/bin/sleep", "100000"]
instances = 2
start_seconds = "0s"

[program.batch]
command = ["/bin/sh", "-c", "echo batch done"]
autostart = false
autorestart = "never"
start_seconds = "0s"

[task.tidy]
schedule = "daily 03:00"
command = ["/bin/sh", "-c", "echo tidying /tmp/cache; echo removed 3 files, freed 12 MB"]

[check.worker-alive]
command = ["/bin/true"]
program = "worker"
every = "1s"

[check.root-disk]
metric = "disk"
path = "/"
warn = "97%"
crit = "99%"
'''


class DashboardTest(unittest.TestCase):
    """One vigild and one browser for every test; each test logs in as it needs."""

    @classmethod
    def setUpClass(cls):
        cls.vigild = Vigild(CONFIG)
        cls.downloads = tempfile.mkdtemp(prefix='vigil-downloads-')
        cls.driver = start_browser(cls.downloads)
        cls.stream = cls.vigild.has_stream()
        cls.config_routes = cls.vigild.has_config_routes()
        if not cls.stream:
            print('\nnote: this vigild has no GET /v1/stream: the tests of live logs are skipped', file=sys.stderr)
        if not cls.config_routes:
            print('note: this vigild has no /v1/programs/NAME/config: the config editor tests are skipped',
                  file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.vigild.stop()
        shutil.rmtree(cls.downloads, ignore_errors=True)

    def setUp(self):
        self.d = self.driver
        self.d.delete_all_cookies()

    def tearDown(self):
        # No page may break the CSP (inline script or style, eval, a foreign origin).
        try:
            csp = self.d.execute_script('return window.__csp || []')
        except Exception:
            csp = []
        self.assertEqual(csp, [], 'CSP violations')
        for entry in self.d.get_log('browser'):
            if entry['level'] != 'SEVERE':
                continue
            message = entry['message']
            if '/v1/stream' in message and not self.stream:
                continue  # the stream is not in this vigild yet
            if 'the server responded with a status of' in message:
                continue  # an API error the test asked for (e.g. an invalid config: 400)
            self.fail(f'console error: {message}')

    # --- helpers -----------------------------------------------------------------------

    def wait(self, condition, timeout=WAIT_S, message=''):
        def safe(d):
            try:
                return condition(d)
            except StaleElementReferenceException:
                return False
        return WebDriverWait(self.d, timeout, poll_frequency=0.05).until(safe, message)

    def css(self, selector, root=None):
        return (root or self.d).find_element(By.CSS_SELECTOR, selector)

    def csss(self, selector, root=None):
        return (root or self.d).find_elements(By.CSS_SELECTOR, selector)

    def login(self):
        self.d.get(self.vigild.login_link())
        self.wait(lambda d: self.csss('#program-cards article'), message='cards after login')
        self.wait_live()

    def wait_live(self):
        """Until the page's stream is connected and vigild has answered its first subscriptions
        (the status snapshot among them), so that what a test injects is not overwritten by
        them: a probe subscription's ack comes after them on the same connection."""
        if not self.stream:
            return
        self.wait(lambda d: d.execute_script(
            'return import("/assets/lib/stream.js").then(({stream}) => stream.connected)'), message='stream connected')
        self.assertTrue(self.d.execute_async_script('''
            const done = arguments[arguments.length - 1];
            import('/assets/lib/stream.js').then(({stream}) => {
              const ws = stream.ws;
              const id = 'test-probe';
              ws.addEventListener('message', function on(e) {
                const m = JSON.parse(e.data);
                if (m.type !== 'ack' || m.id !== id) return;
                ws.removeEventListener('message', on);
                ws.send(JSON.stringify({op: 'unsubscribe', topic: 'runs'}));
                done(true);
              });
              ws.send(JSON.stringify({op: 'subscribe', topic: 'runs', id}));
            });'''), 'the probe subscription was acknowledged')

    def open(self, fragment, ready):
        self.d.get(f'{self.vigild.base}/#{fragment}')
        return self.wait(lambda d: self.csss(ready), message=f'{ready} on #{fragment}')

    def card(self, name):
        return self.css(f'article[data-program="{name}"]')

    def badge_text(self, name):
        return self.css('header .badge', self.card(name)).text

    def shot(self, name, max_height=1400):
        """The whole page (up to max_height CSS pixels) into VIGIL_SCREENSHOTS, when set."""
        if not SHOTS:
            return
        os.makedirs(SHOTS, exist_ok=True)
        self.d.execute_script('document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)')
        size = self.d.execute_cdp_cmd('Page.getLayoutMetrics', {})['cssContentSize']
        shot = self.d.execute_cdp_cmd('Page.captureScreenshot', {
            'format': 'png', 'captureBeyondViewport': True,
            'clip': {'x': 0, 'y': 0, 'width': size['width'], 'height': min(size['height'], max_height), 'scale': 1}})
        with open(os.path.join(SHOTS, f'dashboard-{name}.png'), 'wb') as f:
            f.write(base64.b64decode(shot['data']))

    def wait_for_file(self, predicate, message):
        def found(_):
            for f in os.listdir(self.downloads):
                path = os.path.join(self.downloads, f)
                if not f.endswith('.crdownload') and predicate(f):
                    return path
            return None
        return self.wait(found, message=message)

    def need_stream(self):
        if not self.stream:
            self.skipTest('vigild has no GET /v1/stream yet')

    def need_config_routes(self):
        if not self.config_routes:
            self.skipTest('vigild has no /v1/programs/NAME/config yet')

    # --- login ---------------------------------------------------------------------------

    def test_login_with_the_token_in_the_form(self):
        self.d.get(self.vigild.base + '/')
        self.wait(lambda d: d.current_url.endswith('/login'), message='an anonymous page load goes to /login')
        token = self.css('#token')
        self.shot('login')
        token.send_keys('0' * 64)
        self.css('#login-submit').click()
        error = self.wait(lambda d: self.css('#login-error').is_displayed() and self.css('#login-error'))
        self.assertIn('Wrong token', error.text)
        token.clear()
        token.send_keys(self.vigild.token + Keys.ENTER)
        self.wait(lambda d: self.csss('#program-cards article'), message='cards after logging in')
        self.assertEqual(self.d.current_url, self.vigild.base + '/')
        cookie = self.d.get_cookie('vigil_session')
        self.assertTrue(cookie['httpOnly'])
        self.assertEqual(cookie['sameSite'], 'Strict')

    def test_login_with_a_link_and_logout(self):
        self.d.get(self.vigild.login_link())
        self.wait(lambda d: self.csss('#program-cards article'), message='cards after the link')
        self.assertEqual(self.d.current_url, self.vigild.base + '/')
        self.css('#logout').click()
        self.wait(lambda d: d.current_url.endswith('/login'), message='logout goes to /login')
        self.d.get(self.vigild.base + '/#/tasks')
        self.wait(lambda d: '/login' in d.current_url, message='logged out for good')

    def test_a_viewer_sees_no_actions(self):
        self.d.get(self.vigild.login_link(viewer=True))
        self.wait(lambda d: self.csss('#program-cards article'))
        self.assertEqual(self.css('#role').text, 'viewer: read only')
        self.assertFalse(self.css('.actions', self.card('worker')).is_displayed())
        self.assertFalse(self.css('input[role=switch]', self.card('worker')).is_enabled())

    # --- programs ------------------------------------------------------------------------

    def test_programs_show_as_cards_with_instances_folded(self):
        self.login()
        self.wait(lambda d: self.badge_text('worker') == 'RUNNING' and self.badge_text('logger') == 'RUNNING')
        names = [c.get_attribute('data-program') for c in self.csss('#program-cards article')]
        self.assertEqual(names, ['batch', 'logger', 'web', 'worker'])
        web = self.card('web')
        self.assertEqual([a.text for a in self.csss('.instances a', web)], ['web:0', 'web:1'])
        self.wait(lambda d: self.badge_text('web') == 'RUNNING')
        self.assertEqual(self.badge_text('batch'), 'STOPPED')
        worker = self.card('worker')
        pid = str(self.vigild.program('worker')['pid'])
        self.assertEqual(self.css('.facts dd', worker).text, pid)
        # The uptime counts.
        first = self.css('.facts div:nth-child(2) dd', worker).text
        self.wait(lambda d: self.css('.facts div:nth-child(2) dd', self.card('worker')).text != first,
                  message='uptime counting')
        # The check about worker gives its health dot.
        self.wait(lambda d: 'worker-alive' in self.css('.health-text', self.card('worker')).text,
                  message='health from the check')
        self.assertIn('ok', self.css('.dot', self.card('worker')).get_attribute('class'))
        # Buttons follow the state.
        self.assertFalse(self.css('button[data-action=start]', worker).is_enabled())
        self.assertTrue(self.css('button[data-action=stop]', worker).is_enabled())
        self.assertTrue(self.css('button[data-action=start]', self.card('batch')).is_enabled())
        self.assertFalse(self.css('button[data-action=stop]', self.card('batch')).is_enabled())
        if self.stream:
            self.wait(lambda d: self.css('.host').text != '127.0.0.1', message='host name from the stream')
        # Sparklines fill from the metrics (the stream, or polling while it is down).
        self.wait(lambda d: self.css('.spark-box .value', self.card('logger')).text != '–', timeout=30,
                  message='CPU figure')
        self.wait(lambda d: d.execute_script(
            'return [...document.querySelectorAll("[data-program=logger] canvas.spark")].every((c) => c.drawn)'),
            timeout=40, message='sparklines drawn')
        self.assertEqual(self.css('.spark-box .value', self.card('batch')).text, '–', 'a stopped program uses nothing')
        self.shot('programs')

    def test_stop_and_start_a_program(self):
        self.login()
        self.wait(lambda d: self.badge_text('worker') == 'RUNNING')
        self.css('button[data-action=stop]', self.card('worker')).click()
        dialog = self.wait(lambda d: self.css('#confirm').is_displayed() and self.css('#confirm'))
        self.assertIn('Stop worker?', dialog.text)
        self.css('#confirm-cancel').click()
        self.wait(lambda d: not self.css('#confirm').is_displayed())
        self.assertEqual(self.vigild.program('worker')['state'], 'RUNNING', 'cancel stops nothing')
        # From the keyboard: Enter on the focused Stop, Escape in the dialog.
        stop = self.css('button[data-action=stop]', self.card('worker'))
        self.d.execute_script('arguments[0].focus()', stop)
        self.d.switch_to.active_element.send_keys(Keys.ENTER)
        self.wait(lambda d: self.css('#confirm').is_displayed())
        self.assertEqual(self.d.switch_to.active_element.get_attribute('id'), 'confirm-cancel', 'the safe choice has focus')
        self.d.switch_to.active_element.send_keys(Keys.ESCAPE)
        self.wait(lambda d: not self.css('#confirm').is_displayed())
        self.assertEqual(self.vigild.program('worker')['state'], 'RUNNING')

        self.css('button[data-action=stop]', self.card('worker')).click()
        self.wait(lambda d: self.css('#confirm').is_displayed())
        self.css('#confirm-ok').click()
        # The worker takes a second to stop: the button spins meanwhile, every action waits.
        self.wait(lambda d: 'busy' in self.css('button[data-action=stop]', self.card('worker')).get_attribute('class'),
                  message='spinner on Stop')
        self.assertFalse(self.css('button[data-action=restart]', self.card('worker')).is_enabled())
        self.wait(lambda d: self.badge_text('worker') == 'STOPPED', message='badge STOPPED')
        self.assertEqual(self.vigild.program('worker')['state'], 'STOPPED')
        self.assertNotIn('busy', self.css('button[data-action=stop]', self.card('worker')).get_attribute('class'))
        self.assertEqual(self.css('.facts dd', self.card('worker')).text, '–')

        start = self.css('button[data-action=start]', self.card('worker'))
        self.assertTrue(start.is_enabled())
        start.click()
        self.wait(lambda d: self.badge_text('worker') == 'RUNNING', message='badge RUNNING')
        self.assertEqual(self.vigild.program('worker')['state'], 'RUNNING')

    def test_a_banner_while_the_stream_is_down(self):
        self.need_stream()
        self.login()
        self.wait(lambda d: d.execute_script(
            'return import("/assets/lib/stream.js").then(({stream}) => stream.connected)'), message='connected')
        self.assertFalse(self.css('#banner').is_displayed())
        # The connection drops (as when vigild restarts): the banner, then a new connection.
        self.d.execute_script('import("/assets/lib/stream.js").then(({stream}) => stream.ws.close())')
        banner = self.wait(lambda d: self.css('#banner').is_displayed() and self.css('#banner'), message='banner')
        self.assertIn('Live updates are disconnected', banner.text)
        self.wait(lambda d: not self.css('#banner').is_displayed(), message='reconnected by itself')
        # Still live: a stop made elsewhere shows.
        self.vigild.api('POST', '/v1/programs/web:1/stop')
        try:
            self.wait(lambda d: self.css('.instances li:nth-child(2) .badge', self.card('web')).text == 'STOPPED')
        finally:
            self.vigild.api('POST', '/v1/programs/web:1/start')

    def test_toggle_auto_start(self):
        self.login()
        switch = self.css('input[role=switch]', self.card('logger'))
        self.assertTrue(switch.is_selected())
        self.css('label.switch', self.card('logger')).click()
        self.wait(lambda d: not self.vigild.program('logger')['autostart'], message='auto-start off over REST')
        self.assertFalse(self.css('input[role=switch]', self.card('logger')).is_selected())
        self.assertEqual(self.vigild.program('logger')['state'], 'RUNNING', 'what runs is not touched')
        self.d.refresh()
        self.wait(lambda d: self.csss('#program-cards article'))
        self.assertFalse(self.css('input[role=switch]', self.card('logger')).is_selected())
        self.css('label.switch', self.card('logger')).click()
        self.wait(lambda d: self.vigild.program('logger')['autostart'], message='auto-start on again')

    # --- logs ------------------------------------------------------------------------------

    def log_lines(self):
        return self.csss('#log-lines .line:not(.gap)')

    def test_logs_filter_by_level(self):
        self.need_stream()
        self.login()
        self.open('/program/logger/logs', '#log-lines')
        self.wait(lambda d: any(l.get_attribute('data-level') == 'ERROR' for l in self.log_lines()),
                  message='an ERROR line')
        levels = {l.get_attribute('data-level') for l in self.log_lines()}
        self.assertTrue({'DEBUG', 'INFO', 'WARNING', 'ERROR'} <= levels, levels)
        # Coloured output: AnsiUp's classes, never raw escapes.
        coloured = self.wait(lambda d: self.csss('#log-lines .ansi-green-fg'), message='ANSI colours')
        self.assertEqual(coloured[0].text, 'INFO')
        self.assertNotIn('\x1b', self.css('#log-lines').text)

        Select(self.css('#log-level')).select_by_value('ERROR')
        self.wait(lambda d: self.log_lines() and all(l.get_attribute('data-level') == 'ERROR' for l in self.log_lines()))
        self.assertTrue(all('ERROR' in l.text for l in self.log_lines()))
        Select(self.css('#log-level')).select_by_value('WARNING')
        self.wait(lambda d: {l.get_attribute('data-level') for l in self.log_lines()} == {'WARNING', 'ERROR'})
        Select(self.css('#log-stream')).select_by_value('stderr')
        self.wait(lambda d: {l.get_attribute('data-stream') for l in self.log_lines()} == {'stderr'})
        Select(self.css('#log-stream')).select_by_value('both')
        Select(self.css('#log-level')).select_by_value('ALL')
        self.css('#log-filter').send_keys('cannot reach')
        self.wait(lambda d: self.log_lines() and all('cannot reach db' in l.text for l in self.log_lines()))

    def test_logs_pause_and_resume(self):
        self.need_stream()
        self.login()
        self.open('/program/logger/logs', '#log-lines')
        self.wait(lambda d: len(self.log_lines()) > 5)
        self.css('#log-pause').click()
        self.assertEqual(self.css('#log-pause').get_attribute('aria-pressed'), 'true')
        shown = len(self.log_lines())
        counter = self.wait(lambda d: self.css('#log-new').is_displayed() and self.css('#log-new'),
                            message='new lines counted while paused')
        self.wait(lambda d: int(self.css('#log-new').text.split()[0]) >= 3)
        self.assertIn('new line', counter.text)
        self.assertEqual(len(self.log_lines()), shown, 'nothing added while paused')
        self.css('#log-pause').click()
        self.wait(lambda d: len(self.log_lines()) > shown, message='the new lines after resuming')
        self.assertFalse(self.css('#log-new').is_displayed())
        # Scrolling up stops following; the button goes back to the end.
        self.d.execute_script('const b = document.getElementById("log-lines"); b.scrollTop = 0;'
                              'b.dispatchEvent(new Event("scroll"))')
        self.wait(lambda d: self.css('#log-follow').is_displayed(), message='follow button when scrolled up')
        top = self.d.execute_script('return document.getElementById("log-lines").scrollTop')
        self.assertEqual(top, 0)
        self.css('#log-follow').click()
        self.wait(lambda d: not self.css('#log-follow').is_displayed())
        # Clear empties the view; paused first, so that no new line can land in between.
        self.css('#log-pause').click()
        self.css('#log-clear').click()
        self.assertEqual(len(self.log_lines()), 0)
        self.css('#log-pause').click()

    def test_logs_export(self):
        self.login()
        self.open('/program/logger/logs', '#log-lines')
        self.wait(lambda d: len(self.log_lines()) >= 12, message='log lines')
        self.shot('logs')
        # The whole log file, from vigild.
        self.css('#log-download-stdout').click()
        full = self.wait_for_file(lambda f: f == 'logger.out.log', 'logger.out.log downloaded')
        with open(full) as f:
            text = f.read()
        self.assertIn('INFO handled request 1 in 3 ms', text)
        # The lines on screen, made in the browser.
        Select(self.css('#log-stream')).select_by_value('stdout')
        self.css('#log-filter').send_keys('handled request')
        self.wait(lambda d: self.log_lines() and all('handled request' in l.text for l in self.log_lines()))
        self.css('#log-timestamps').click()  # off: the file has the bare lines
        self.css('#log-export').click()
        visible = self.wait_for_file(lambda f: f == 'logger-visible.log', 'logger-visible.log downloaded')
        with open(visible) as f:
            lines = f.read().splitlines()
        self.assertGreaterEqual(len(lines), 1)
        self.assertTrue(all(l.startswith('INFO handled request ') for l in lines), lines)

    def inject(self, message):
        """Hands the page's stream client a server message, as if vigild had sent it."""
        self.d.execute_async_script('''
            const [message, done] = arguments;
            import('/assets/lib/stream.js').then(({stream}) => { stream.onMessage(message); done(); });''',
                                    message)

    def test_logs_view_follows_the_stream_protocol(self):
        """The log view fed messages of the spec by hand: ANSI colours and markup in process output,
        levels, a repeated history after a reconnection, a gap of dropped lines, pausing."""
        self.login()
        self.open('/program/batch/logs', '#log-lines')
        now = int(time.time() * 1000)

        def lines(stream, *items, later=0):
            return {'type': 'logs', 'program': 'batch', 'stream': stream,
                    'lines': [{'seq': seq, 'time_ms': now + later + seq, 'level': level, 'text': text}
                              for seq, level, text in items]}
        self.inject({'type': 'logs', 'program': 'batch', 'stream': 'stdout',  # history: no times, old seqs
                     'lines': [{'seq': 0, 'level': 'INFO', 'text': 'from before vigild started'}]})
        self.wait(lambda d: len(self.log_lines()) == 1, message='a line of history')
        self.css('#log-clear').click()
        self.inject(lines('stdout', (1, 'INFO', '\x1b[31mred\x1b[0m and <b>not bold</b> & <script>x()</script>'),
                          (2, 'DEBUG', 'debug detail'), (3, '', 'no level')))
        self.inject(lines('stderr', (1, 'ERROR', 'boom')))
        self.wait(lambda d: len(self.log_lines()) == 4, message='four lines')
        first = self.log_lines()[0]
        self.assertEqual(self.css('.ansi-red-fg', first).text, 'red')
        self.assertIn('and <b>not bold</b> & <script>x()</script>', first.text)
        self.assertEqual(self.csss('#log-lines b, #log-lines script'), [], 'process output is never markup')
        # The history again after a reconnection: each line once.
        self.inject(lines('stdout', (2, 'DEBUG', 'debug detail'), (3, '', 'no level'), (4, 'WARNING', 'new one')))
        self.wait(lambda d: len(self.log_lines()) == 5)
        # Lines the server dropped: a gap line.
        self.inject({'type': 'dropped', 'program': 'batch', 'stream': 'stdout', 'from_seq': 5, 'to_seq': 9,
                     'count': 5})
        gap = self.wait(lambda d: self.csss('#log-lines .gap'))[0]
        self.assertIn('5 stdout lines were not delivered', gap.text)
        self.inject(lines('stdout', (10, 'INFO', 'after the gap')))
        self.wait(lambda d: len(self.log_lines()) == 6)
        # Levels: a minimum; lines without one only under ALL.
        Select(self.css('#log-level')).select_by_value('INFO')
        self.wait(lambda d: [l.get_attribute('data-level') for l in self.log_lines()] == ['INFO', 'ERROR', 'WARNING', 'INFO'])
        self.assertTrue(self.csss('#log-lines .gap'), 'a gap stays in view')
        Select(self.css('#log-level')).select_by_value('ALL')
        # Pause counts what comes, resume shows it.
        self.css('#log-pause').click()
        self.inject(lines('stdout', (11, 'INFO', 'while paused 1'), (12, 'INFO', 'while paused 2')))
        self.wait(lambda d: self.css('#log-new').text == '2 new lines')
        self.assertEqual(len(self.log_lines()), 6, 'nothing added while paused')
        self.css('#log-pause').click()
        self.wait(lambda d: len(self.log_lines()) == 8)
        self.assertEqual(self.css('.msg', self.log_lines()[-1]).text, 'while paused 2')
        # vigild restarted: its numbers start again, at later times.
        self.inject(lines('stdout', (1, 'INFO', 'after a restart'), later=60000))
        self.wait(lambda d: len(self.log_lines()) == 9)
        # Timestamps off.
        self.css('#log-timestamps').click()
        self.assertFalse(self.css('#log-lines .ts').is_displayed())
        self.inject({'type': 'log_end', 'program': 'batch', 'stream': 'stdout',
                     'reason': 'batch was removed from the config; its log ends here'})
        self.wait(lambda d: 'its log ends here' in self.css('#log-lines').text)

    def test_cards_follow_the_status_and_metrics_messages(self):
        self.login()
        info = dict(self.vigild.program('batch'))
        self.inject({'type': 'hello', 'version': 1, 'host': 'testhost', 'role': 'admin'})
        self.wait(lambda d: self.css('#host').text == 'testhost')
        info.update({'state': 'FATAL', 'reason': 'exited too quickly (exit 1); gave up after 6 attempts'})
        self.inject({'type': 'status', 'programs': [info]})
        self.wait(lambda d: self.badge_text('batch') == 'FATAL')
        self.assertIn('gave up after 6 attempts', self.css('.health-text', self.card('batch')).text)
        self.assertTrue(self.css('button[data-action=start]', self.card('batch')).is_enabled())
        for i in range(3):
            self.inject({'type': 'metrics', 'time_ms': int(time.time() * 1000), 'system': {
                'cpus': 2, 'cpu_percent': 10, 'memory_used_percent': 25.0, 'memory_total_bytes': 4 << 30,
                'memory_available_bytes': 3 << 30, 'load1': 0.5},
                'programs': {'worker': {'cpu_percent': 12.5 + i, 'memory_bytes': 3 << 20}}})
        self.wait(lambda d: self.css('.spark-box .value', self.card('worker')).text == '14.5%')
        self.assertEqual(self.csss('.spark-box .value', self.card('worker'))[1].text, '3.0 MiB')
        self.inject({'type': 'status', 'removed': ['batch']})
        self.wait(lambda d: not self.csss('article[data-program="batch"]'))

    def test_a_snapshot_of_the_same_programs_leaves_the_cards_in_place(self):
        """A full status message (every reconnection sends one) updates the cards where they are:
        the grid's children are not removed and inserted again."""
        self.login()
        self.d.execute_script('''
            window.__gridMutations = 0;
            new MutationObserver((records) => { window.__gridMutations += records.length; })
                .observe(document.getElementById('program-cards'), {childList: true});''')
        programs = self.vigild.api('GET', '/v1/programs')[1]['programs']
        for p in programs:
            if p['name'] == 'batch':
                p.update({'state': 'FATAL', 'reason': 'exited too quickly (exit 1); gave up after 6 attempts'})
        self.inject({'type': 'status', 'full': True, 'programs': programs})
        self.wait(lambda d: self.badge_text('batch') == 'FATAL')
        self.assertEqual(self.d.execute_script('return window.__gridMutations'), 0)
        self.assertEqual(len(self.csss('#program-cards article')), len({p['name'].split(':')[0] for p in programs}))
        # A real one puts batch back as it is.
        self.d.execute_script('import("/assets/lib/stream.js").then(({stream}) => stream.ws.close())')
        self.wait(lambda d: self.badge_text('batch') != 'FATAL', message='the snapshot after reconnecting')
        self.assertEqual(self.d.execute_script('return window.__gridMutations'), 0)

    def test_a_page_that_paints_nothing_still_goes_live(self):
        """The stream starts after the first paint; a tab in the background, which runs no
        animation frames, starts it all the same."""
        self.need_stream()
        script = self.d.execute_cdp_cmd('Page.addScriptToEvaluateOnNewDocument',
                                        {'source': 'window.requestAnimationFrame = () => 0;'})['identifier']
        try:
            self.login()  # the cards, then the stream and its snapshot
        finally:
            self.d.execute_cdp_cmd('Page.removeScriptToEvaluateOnNewDocument', {'identifier': script})
        self.vigild.api('POST', '/v1/programs/web:1/stop')
        try:
            self.wait(lambda d: self.css('.instances li:nth-child(2) .badge', self.card('web')).text == 'STOPPED')
        finally:
            self.vigild.api('POST', '/v1/programs/web:1/start')

    def test_the_first_load_asks_for_each_thing_once(self):
        """The page's own requests: the programs and the session once each (the preloads are
        used by the scripts), no Chart.js, no other page's module, no image for the header."""
        self.login()
        names = self.d.execute_script(
            'return performance.getEntriesByType("resource").map((r) => new URL(r.name).pathname)')
        self.assertEqual(names.count('/v1/programs'), 1, names)
        self.assertEqual(names.count('/v1/web/session'), 1, names)
        self.assertFalse([n for n in names if 'vendor' in n or 'chart' in n], names)
        self.assertFalse([n for n in names if n.startswith('/assets/pages/') and n != '/assets/pages/programs.js'],
                         names)
        self.assertEqual(self.csss('header.top img'), [])

    # --- configuration ----------------------------------------------------------------------

    def test_config_invalid_then_valid(self):
        self.need_config_routes()
        self.login()
        self.open('/program/worker/config', '#config-text')
        text = self.wait(lambda d: self.css('#config-text').get_attribute('value') and self.css('#config-text'))
        self.assertIn('[program.worker]', text.get_attribute('value'))
        save = self.css('#config-save')
        self.assertFalse(save.is_enabled(), 'nothing to save yet')
        with open(self.vigild.config) as f:
            before = f.read()

        text.send_keys(Keys.CONTROL, Keys.END)
        text.send_keys('\nautorestart = "sometimes"')
        self.css('#config-validate').click()
        error = self.wait(lambda d: self.csss('#config-errors li'), message='an inline error')[0]
        self.assertIn('autorestart', error.text)
        line = len(text.get_attribute('value').splitlines())
        marked = self.csss('.gutter .err')
        self.assertTrue(marked, 'the line is marked')
        self.assertIn(str(line), [m.text for m in marked])
        self.assertFalse(self.css('#config-save').is_enabled())
        self.shot('config')
        with open(self.vigild.config) as f:
            self.assertEqual(f.read(), before, 'an invalid config changes nothing')

        # Valid: an environment for the worker, which then restarts.
        old_pid = self.vigild.program('worker')['pid']
        value = text.get_attribute('value').replace('\nautorestart = "sometimes"', '\nenvironment = { MODE = "2" }')
        self.d.execute_script('arguments[0].value = arguments[1];'
                              'arguments[0].dispatchEvent(new Event("input"))', text, value)
        self.assertFalse(self.css('#config-save').is_enabled(), 'Save waits for a validation')
        self.css('#config-validate').click()
        self.wait(lambda d: self.css('#config-save').is_enabled(), message='Save enabled once valid')
        self.assertEqual(self.csss('#config-errors li'), [])
        self.css('#config-save').click()
        self.wait(lambda d: 'Saved' in self.css('#config-status').text, message='saved')
        self.wait(lambda d: self.vigild.program('worker')['pid'] not in (0, old_pid), message='worker restarted')
        with open(self.vigild.config) as f:
            self.assertIn('MODE = "2"', f.read())

    def test_config_is_read_only_for_a_viewer(self):
        self.need_config_routes()
        self.d.get(self.vigild.login_link(viewer=True))
        self.wait(lambda d: self.csss('#program-cards article'))
        self.open('/program/worker/config', '#config-text')
        text = self.wait(lambda d: self.css('#config-text').get_attribute('value') and self.css('#config-text'))
        self.assertIn('[program.worker]', text.get_attribute('value'))
        self.assertEqual(text.get_attribute('readonly'), 'true')
        self.assertFalse(self.css('#config-save').is_displayed())
        self.assertIn('read only', self.css('#config-source').text)

    def test_config_conflict(self):
        self.need_config_routes()
        self.login()
        self.open('/program/batch/config', '#config-text')
        text = self.wait(lambda d: self.css('#config-text').get_attribute('value') and self.css('#config-text'))
        # Someone else saves meanwhile.
        status, current = self.vigild.api('GET', '/v1/programs/batch/config')
        status, body = self.vigild.api('PUT', '/v1/programs/batch/config', {
            'toml': current['toml'].replace('autostart = false', 'autostart = false\nstop_timeout = "3s"'),
            'revision': current['revision']})
        self.assertEqual(status, 200, body)
        text.send_keys(Keys.CONTROL, Keys.END)
        text.send_keys('\nstop_timeout = "4s"')
        self.css('#config-validate').click()
        self.wait(lambda d: self.css('#config-save').is_enabled())
        self.css('#config-save').click()
        notice = self.wait(lambda d: self.css('#config-conflict').is_displayed() and self.css('#config-conflict'))
        self.assertIn('changed since it was read', notice.text)

    # --- history and metrics ------------------------------------------------------------------

    def test_history_rows(self):
        self.login()
        # A second lifetime of web:1.
        status, body = self.vigild.api('POST', '/v1/programs/web:1/restart')
        self.assertEqual(status, 200, body)
        self.open('/program/web:1/history', '#history-table')
        rows = self.wait(lambda d: len(self.csss('#history-table tbody tr')) >= 2 and self.csss('#history-table tbody tr'),
                         message='two lifetimes')
        self.assertIn('running', rows[0].text)
        self.assertIn(str(self.vigild.program('web:1')['pid']), rows[0].text)
        self.assertIn('stopping', rows[1].text)

    def test_metrics_charts_render_under_the_csp(self):
        self.login()
        self.open('/program/logger/metrics', '.chart canvas')
        self.wait(lambda d: d.execute_script(
            'return !!window.Chart && [...document.querySelectorAll(".chart canvas")].every((c) => Chart.getChart(c))'),
            message='Chart.js charts')
        self.wait(lambda d: d.execute_script(
            'const c = Chart.getChart(document.querySelector(".chart canvas")); return c.data.datasets[0].data.length > 0'),
            timeout=90, message='points in the CPU chart')
        Select(self.css('.metrics select')).select_by_value('6h')
        self.wait(lambda d: d.execute_script(
            'const c = Chart.getChart(document.querySelector(".chart canvas"));'
            'return c.options.scales.x.max - c.options.scales.x.min > 5 * 3600e3 && c.data.datasets[0].data.length > 0'),
            message='the 6-hour chart')

    # --- tasks, health, events -------------------------------------------------------------------

    def test_run_a_task_now_and_read_its_output(self):
        self.login()
        self.open('/tasks', '#task-cards article')
        card = self.css('article[data-task="tidy"]')
        self.assertIn('daily 03:00', card.text)
        self.assertIn('never ran', card.text)
        self.css('button[data-action=run]', card).click()
        output = self.wait(lambda d: [p for p in self.csss('article[data-task="tidy"] .output-text')
                                      if 'removed 3 files' in p.text], message='the run\'s output')
        self.assertIn('tidying /tmp/cache', output[0].text)
        self.wait(lambda d: 'exit 0' in self.css('article[data-task="tidy"] header .badge').text)
        self.assertIn('manual', self.css('article[data-task="tidy"] .runs-table tbody tr').text)
        # Disable and enable again.
        self.css('article[data-task="tidy"] label.switch').click()
        self.wait(lambda d: self.vigild.api('GET', '/v1/tasks/tidy')[1]['enabled'] is False)
        self.css('article[data-task="tidy"] label.switch').click()
        self.wait(lambda d: self.vigild.api('GET', '/v1/tasks/tidy')[1]['enabled'] is True)
        self.shot('tasks')

    def test_health_page(self):
        self.login()
        self.open('/health', '#health-checks table')
        checks = {tr.get_attribute('data-check'): tr for tr in self.csss('#health-checks tr[data-check]')}
        self.assertIn('worker-alive', checks)
        self.assertIn('root-disk', checks)
        self.wait(lambda d: 'OK' in self.css('#health-checks tr[data-check="worker-alive"]').text)
        self.assertTrue(self.css('#gauge-cpu').get_attribute('value'))
        self.css('details.card summary').click()
        self.wait(lambda d: 'vigil report' in self.css('#health-report').text, message='the report')
        self.wait(lambda d: d.execute_script(
            'return [...document.querySelectorAll(".chart canvas")].every((c) => window.Chart && Chart.getChart(c))'))
        self.shot('health')

    def test_events_filter(self):
        self.login()
        status, _ = self.vigild.api('POST', '/v1/programs/web:0/restart')
        self.assertEqual(status, 200)
        self.open('/events', '#events-table tbody tr')
        Select(self.css('#events-type')).select_by_value('state')
        self.wait(lambda d: self.csss('#events-table tbody tr') and all(
            tr.get_attribute('data-type') == 'state' for tr in self.csss('#events-table tbody tr')))
        Select(self.css('#events-subject')).select_by_value('web:0')
        self.wait(lambda d: self.csss('#events-table tbody tr') and all(
            tr.find_elements(By.CSS_SELECTOR, 'td')[2].text == 'web:0' for tr in self.csss('#events-table tbody tr')))
        Select(self.css('#events-subject')).select_by_value('')
        Select(self.css('#events-type')).select_by_value('')
        self.wait(lambda d: len({tr.get_attribute('data-type') for tr in self.csss('#events-table tbody tr')}) > 1)
        self.shot('events')

    def test_phone_width(self):
        self.login()
        self.d.set_window_size(390, 844)
        try:
            self.d.refresh()
            self.wait(lambda d: self.csss('#program-cards article'))
            width = self.d.execute_script('return document.documentElement.scrollWidth')
            self.assertLessEqual(width, 390, 'no sideways scrolling at phone width')
            self.shot('phone')
        finally:
            self.d.set_window_size(1280, 900)


class ManyProgramsTest(unittest.TestCase):
    """100 programs: every card shows, and the time it took is printed (the benchmark judges it)."""

    @classmethod
    def setUpClass(cls):
        body = ''.join(f'[program.p{i:03d}]\ncommand = ["/bin/sleep", "100000"]\nautostart = false\n\n'
                       for i in range(100))
        cls.vigild = Vigild(body, name='many')
        cls.downloads = tempfile.mkdtemp(prefix='vigil-downloads-')
        cls.driver = start_browser(cls.downloads)

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.vigild.stop()
        shutil.rmtree(cls.downloads, ignore_errors=True)

    def test_cards_of_100_programs(self):
        d = self.driver
        d.get(self.vigild.login_link())
        WebDriverWait(d, WAIT_S).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, '#program-cards article')) == 100)
        times = []
        for _ in range(5):  # the best of five loads: the machine may be busy with other builds
            d.refresh()
            WebDriverWait(d, WAIT_S).until(
                lambda d: d.execute_script('return performance.getEntriesByName("vigil-cards").length') > 0)
            # From the start of the page's navigation to the first frame painted with the cards.
            times.append(d.execute_script('return performance.getEntriesByName("vigil-cards")[0].startTime'))
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, '#program-cards article')), 100)
        load = os.getloadavg()[0] / (os.cpu_count() or 1)
        print(f'\ncards of 100 programs painted after {", ".join(f"{t:.0f}" for t in times)} ms '
              f'(load {load:.1f} per CPU)', file=sys.stderr)
        # The time is a figure, not a test: the 300 ms target is judged by the benchmark
        # (bench/lib/dashboard_bench.py), in a quiet run; here the page shares the CPU with
        # the other tests (and, in the ASan build, a slower vigild).
        self.assertGreater(min(times), 0)


if __name__ == '__main__':
    unittest.main()
