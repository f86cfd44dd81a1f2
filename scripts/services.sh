#!/usr/bin/env bash
# Makes sure what the tests talk to is installed and running: PostgreSQL, Redis, slapd, Chromium.
set -euo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=""
install_pkgs() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  echo "Installing $* …"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}
need_pkg() {  # need_pkg COMMAND PACKAGE...
  command -v "$1" >/dev/null 2>&1 && return 0
  [ -x "/usr/sbin/$1" ] && return 0
  shift
  install_pkgs "$@"
}
need_file() {  # need_file PATH PACKAGE...   (headers have no command to look for)
  [ -e "$1" ] && return 0
  shift
  install_pkgs "$@"
}
need_pkg slapd slapd
need_pkg ldapsearch ldap-utils
need_pkg chromium chromium
need_pkg pg_ctlcluster postgresql
need_pkg redis-server redis-server
# python-ldap (django-auth-ldap, the directory login; in the "test" extra) compiles against these.
need_pkg gcc gcc
need_file /usr/include/ldap.h libldap2-dev
need_file /usr/include/sasl/sasl.h libsasl2-dev
# tests/deploy renders deploy/k8s with `kubectl kustomize` (kustomize v5: kubectl >= 1.27). This machine's
# image ships one; Debian's kubernetes-client (kubectl 1.20, kustomize v2) is too old to render the overlays.
if ! kubectl version --client 2>/dev/null | grep -q "Kustomize Version: v5"; then
  echo "warning: tests/deploy need kubectl >= 1.27 (kustomize v5) on PATH; they fail without it." >&2
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "Starting PostgreSQL …"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -n1)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Starting Redis …"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
