#!/usr/bin/env bash
# Installs the Debian 12 packages vigil needs to build and test, if any are missing.
set -euo pipefail

packages=(
  g++ cmake ninja-build make pkg-config
  libboost1.81-dev nlohmann-json3-dev libtomlplusplus-dev
  libsqlite3-dev libsqlitecpp-dev libhowardhinnant-date-dev tzdata
  libfmt-dev libcli11-dev zlib1g-dev
  libgtest-dev libgmock-dev
  clang-14 libclang-rt-14-dev lld curl procps python3
  ccache  # build time only: scripts/build.sh compiles through it, so a rebuild of a fresh clone reuses what is unchanged
  monitoring-plugins-basic  # the real Nagios plugins the command-check tests run
  libcurl4-openssl-dev python3-aiosmtpd  # alerts: libcurl for vigil-alert, a real SMTP sink for its tests
  prometheus  # its promtool checks GET /metrics in the tests
  libssl-dev ca-certificates openssl  # https probes: OpenSSL headers (vigild loads libssl.so.3 at its first https probe), the system CAs, test servers
  libjs-chart.js libjs-ansi-up  # the dashboard's charts and log colours, embedded into vigild at build time (web/)
  chromium chromium-driver python3-selenium  # the dashboard's tests in a real browser (tests/browser/)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "error: missing packages and not root; run as root or install them: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
