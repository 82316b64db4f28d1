#!/usr/bin/env bash
# Test services: installs (from Debian's packages, when missing), starts and prepares the real MariaDB,
# PostgreSQL and ZooKeeper that the preflight integration tests talk to. Everything listens on
# 127.0.0.1 only. Idempotent: safe to run twice, or while the services already run.
#
#   MariaDB     127.0.0.1:3306  TLS with a CA made here (ssl-ca/cert/key), admin user over TCP
#   PostgreSQL  127.0.0.1:5432  TLS with the same CA, admin role over TCP
#   ZooKeeper   127.0.0.1:2181  standalone, 4lw `srvr` allowed, admin server off
#
# Also installs Debian's chromium (the HTML report test drives it with playwright-core; no browser download).
# The admin accounts exist only for the tests, which create their own databases and users with them.
# Names and passwords must match test/setup/services.ts.
set -euo pipefail

STATE_DIR=${IMPLY_LINT_CI_STATE:-/var/lib/imply-lint-ci}
ADMIN_USER=implylint_admin
ADMIN_PASSWORD=implylint-admin-pw
MARIADB_PORT=3306
PG_PORT=5432
ZK_PORT=2181
WAIT_SECONDS=90

log() { printf 'ci-services: %s\n' "$*"; }
die() { printf 'ci-services: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (installs packages and starts services)"

# --- install ---------------------------------------------------------------------------------------
pg_bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
missing=()
command -v mariadbd >/dev/null 2>&1 || missing+=(mariadb-server)
[ -n "$(pg_bin_dir)" ] && command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
[ -f /usr/share/java/zookeeper.jar ] || missing+=(zookeeper)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# Debian's Chromium: the HTML report is tested in a real headless browser (playwright-core drives it).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Debian's maintainer scripts try to start the services; a container without an init refuses that,
  # which is fine: they are started below.
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

mkdir -p "$STATE_DIR"

wait_for() { # description, command...
  local what=$1; shift
  local i
  for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  return 1
}

# --- TLS material: one CA, one server certificate for 127.0.0.1/localhost ---------------------------
TLS_DIR=$STATE_DIR/tls
tls_new=0
if [ ! -s "$TLS_DIR/ca.pem" ] || [ ! -s "$TLS_DIR/server.pem" ] || [ ! -s "$TLS_DIR/server.key" ]; then
  log "creating test CA and server certificate in $TLS_DIR"
  rm -rf "$TLS_DIR"
  mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=imply-lint test CA" \
    -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$TLS_DIR/server.ext"
  openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.pem" -CAkey "$TLS_DIR/ca.key" -CAcreateserial \
    -days 3650 -extfile "$TLS_DIR/server.ext" -out "$TLS_DIR/server.pem" 2>/dev/null
  tls_new=1
fi
chmod 755 "$STATE_DIR" "$TLS_DIR"
chmod 644 "$TLS_DIR/ca.pem" "$TLS_DIR/server.pem"
# Each server wants its own copy of the key, owned by its user and private.
install -m 600 -o mysql -g mysql "$TLS_DIR/server.key" "$TLS_DIR/mariadb.key" 2>/dev/null || true
install -m 600 -o postgres -g postgres "$TLS_DIR/server.key" "$TLS_DIR/postgres.key"

# --- MariaDB ---------------------------------------------------------------------------------------
mariadb_ping() { mariadb-admin --protocol=socket ping; }
mariadb_sql() { mariadb --protocol=socket -N -B -e "$1"; }

CNF=/etc/mysql/mariadb.conf.d/99-imply-lint-ci.cnf
cat > "$CNF.tmp" <<EOF
# Written by imply-lint scripts/ci-services.sh for the preflight integration tests.
[mysqld]
bind-address = 127.0.0.1
port = $MARIADB_PORT
ssl-ca = $TLS_DIR/ca.pem
ssl-cert = $TLS_DIR/server.pem
ssl-key = $TLS_DIR/mariadb.key
EOF
cnf_changed=0
if ! cmp -s "$CNF.tmp" "$CNF"; then mv "$CNF.tmp" "$CNF"; cnf_changed=1; else rm -f "$CNF.tmp"; fi

mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld
if [ ! -d /var/lib/mysql/mysql ]; then
  log "initialising the MariaDB data directory"
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
fi
if mariadb_ping >/dev/null 2>&1; then
  have_ssl=$(mariadb_sql "SELECT @@have_ssl" 2>/dev/null || echo NO)
  if [ "$cnf_changed" = 1 ] || [ "$tls_new" = 1 ] || [ "$have_ssl" != YES ]; then
    log "restarting MariaDB to load the test TLS configuration"
    mariadb-admin --protocol=socket shutdown
    wait_for "MariaDB to stop" bash -c '! mariadb-admin --protocol=socket ping' || die "MariaDB did not stop"
  fi
fi
if ! mariadb_ping >/dev/null 2>&1; then
  log "starting MariaDB"
  setsid nohup mariadbd --user=mysql >"$STATE_DIR/mariadb.log" 2>&1 < /dev/null &
  wait_for "MariaDB" mariadb_ping || { tail -n 30 "$STATE_DIR/mariadb.log" >&2; die "MariaDB did not start"; }
fi
mariadb_sql "
  CREATE USER IF NOT EXISTS '$ADMIN_USER'@'%' IDENTIFIED BY '$ADMIN_PASSWORD';
  ALTER USER '$ADMIN_USER'@'%' IDENTIFIED BY '$ADMIN_PASSWORD';
  GRANT ALL PRIVILEGES ON *.* TO '$ADMIN_USER'@'%' WITH GRANT OPTION;
  FLUSH PRIVILEGES;"
log "MariaDB $(mariadb_sql 'SELECT VERSION()') on 127.0.0.1:$MARIADB_PORT (TLS $(mariadb_sql 'SELECT @@have_ssl'))"

# --- PostgreSQL ------------------------------------------------------------------------------------
PG_VERSION=$(basename "$(dirname "$(pg_bin_dir)")")
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$PG_VERSION main"; then
  log "creating PostgreSQL cluster $PG_VERSION/main"
  pg_createcluster "$PG_VERSION" main -p "$PG_PORT" >/dev/null
fi
pg_ready() { runuser -u postgres -- psql -p "$PG_PORT" -qAtc 'SELECT 1' >/dev/null; }
pg_sql() { runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qAtc "$1"; }
if ! pg_ready 2>/dev/null; then
  log "starting PostgreSQL $PG_VERSION"
  pg_ctlcluster "$PG_VERSION" main start || true
  wait_for "PostgreSQL" pg_ready || { tail -n 30 "/var/log/postgresql/postgresql-$PG_VERSION-main.log" >&2 || true; die "PostgreSQL did not start"; }
fi
pg_sql "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ADMIN_USER') THEN
    CREATE ROLE $ADMIN_USER LOGIN SUPERUSER PASSWORD '$ADMIN_PASSWORD';
  ELSE
    ALTER ROLE $ADMIN_USER LOGIN SUPERUSER PASSWORD '$ADMIN_PASSWORD';
  END IF;
END \$\$;"
# TLS with the test CA's server certificate (reloadable without a restart).
if [ "$tls_new" = 1 ] || [ "$(pg_sql 'SHOW ssl_cert_file')" != "$TLS_DIR/server.pem" ] || [ "$(pg_sql 'SHOW ssl')" != on ]; then
  log "configuring PostgreSQL TLS"
  pg_sql "ALTER SYSTEM SET ssl = on"
  pg_sql "ALTER SYSTEM SET ssl_cert_file = '$TLS_DIR/server.pem'"
  pg_sql "ALTER SYSTEM SET ssl_key_file = '$TLS_DIR/postgres.key'"
  # A reload also re-reads certificate files that were recreated under the same names.
  pg_sql "SELECT pg_reload_conf()" >/dev/null
  sleep 1
fi
log "PostgreSQL $(pg_sql 'SHOW server_version') on 127.0.0.1:$PG_PORT (ssl $(pg_sql 'SHOW ssl'))"

# --- ZooKeeper -------------------------------------------------------------------------------------
# Debian's package ships no service for containers: run QuorumPeerMain with the package's classpath
# (zookeeper.jar's manifest names its dependencies) and a config of our own.
zk_srvr() { # prints the srvr answer
  timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$ZK_PORT; printf srvr >&3; cat <&3"
}
zk_ok() { zk_srvr | grep -q '^Zookeeper version:'; }
ZK_DIR=$STATE_DIR/zookeeper
mkdir -p "$ZK_DIR/conf" "$ZK_DIR/data"
cat > "$ZK_DIR/conf/zoo.cfg" <<EOF
tickTime=2000
dataDir=$ZK_DIR/data
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=srvr,ruok,stat
EOF
if ! zk_ok 2>/dev/null; then
  log "starting ZooKeeper"
  setsid nohup java -Xmx256m -cp "$ZK_DIR/conf:/usr/share/java/zookeeper.jar" \
    -Dzookeeper.log.dir="$ZK_DIR" org.apache.zookeeper.server.quorum.QuorumPeerMain "$ZK_DIR/conf/zoo.cfg" \
    >"$ZK_DIR/zookeeper.log" 2>&1 < /dev/null &
  wait_for "ZooKeeper" zk_ok || { tail -n 30 "$ZK_DIR/zookeeper.log" >&2; die "ZooKeeper did not start"; }
fi
log "ZooKeeper $(zk_srvr | sed -n 's/^Zookeeper version: \([^,]*\).*/\1/p') on 127.0.0.1:$ZK_PORT"
log "ready"
