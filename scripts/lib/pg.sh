# shellcheck shell=bash
# A throwaway PostGIS server for the tests.  Source this file; do not run it.
#
#   pg_start   initdb a fresh cluster in a new temporary directory, start it on 127.0.0.1 and a
#              free port, create database landmap_test with PostGIS, and export
#              LANDMAP_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:PORT/landmap_test
#   pg_stop    stop that server and delete its directory; safe to call any number of times
#              (it is meant for `trap pg_stop EXIT`) and it never fails
#
# Never touches a system cluster (no pg_ctlcluster, nothing in /var/lib/postgresql): the server
# binaries are run from /usr/lib/postgresql/<major>/bin directly, never from PATH (which may hold
# unrelated programs called pg_ctl).  postgres refuses to run as root, so as root the server runs
# as the `postgres` system user.
#
# Settings: LANDMAP_PG_MAJOR (default: the highest installed server with PostGIS),
#           LANDMAP_PG_TMPDIR (default /tmp; must be reachable by the postgres user).

# shellcheck source=scripts/lib/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

LANDMAP_PG_DIR=${LANDMAP_PG_DIR:-}  # the running server's directory, "" when none

# Run a command as the user who owns the cluster, from inside its directory (so that a root-only
# current directory does not bother it).  Usage: _landmap_pg_as_owner DIR COMMAND...
_landmap_pg_as_owner() {
    local dir=$1
    shift
    if [[ $EUID -ne 0 ]]; then
        (cd "$dir" && "$@")
    elif command -v runuser >/dev/null 2>&1; then
        (cd "$dir" && runuser -u postgres -- "$@")
    else
        # su runs a shell: quote the command for it.
        (cd "$dir" && su -s /bin/sh postgres -c "$(printf '%q ' "$@")")
    fi
}

# As root: make sure the postgres system user exists (the Debian package normally creates it).
_landmap_pg_ensure_user() {
    [[ $EUID -eq 0 ]] || return 0
    id -u postgres >/dev/null 2>&1 && return 0
    landmap_say "creating the postgres system user"
    useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
        --shell /bin/bash --comment "PostgreSQL administrator" postgres
}

# Print a free TCP port on 127.0.0.1 (the kernel's choice; pg_start retries if it is taken by
# the time the server binds it).
_landmap_pg_free_port() {
    local python="$LANDMAP_VENV/bin/python"
    [[ -x $python ]] || python=python3
    "$python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Stop the server of cluster directory DIR (if running) and delete DIR.  Never fails.
_landmap_pg_destroy() {
    local dir=$1 bindir
    bindir=$(cat "$dir/landmap-bindir" 2>/dev/null) || bindir=""
    if [[ -f $dir/data/postmaster.pid && -x $bindir/pg_ctl ]]; then
        _landmap_pg_as_owner "$dir" "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop \
            >>"$dir/server.log" 2>&1 ||
            _landmap_pg_as_owner "$dir" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop \
                >>"$dir/server.log" 2>&1 ||
            landmap_err "could not stop the PostgreSQL server in $dir"
    fi
    rm -rf -- "$dir" || landmap_err "could not remove $dir"
    return 0
}

# Remove clusters left behind by runs that were killed before their pg_stop (SIGKILL, power
# loss): those whose owning shell is gone.  Clusters of live shells are left alone.
_landmap_pg_reap_stale() {
    local base=$1 dir owner
    for dir in "$base"/landmap-pg.*; do
        [[ -f $dir/landmap-owner ]] || continue
        # Not root: only our own (kill -0 cannot see other users' processes anyway).
        [[ $EUID -eq 0 || -O $dir ]] || continue
        owner=$(cat "$dir/landmap-owner" 2>/dev/null) || continue
        [[ $owner =~ ^[0-9]+$ ]] || continue
        if ! kill -0 "$owner" 2>/dev/null; then
            landmap_say "removing a stale test cluster: $dir"
            _landmap_pg_destroy "$dir"
        fi
    done
}

# Report a failed start: MESSAGE, the step's own log, the server log; then clean up.
# Usage: _landmap_pg_fail DIR LOGNAME MESSAGE
_landmap_pg_fail() {
    local dir=$1 log=$2 message=$3
    landmap_err "$message"
    cat "$dir/$log" >&2 2>/dev/null || true
    printf -- '--- server log (%s)\n' "$dir/server.log" >&2
    cat "$dir/server.log" >&2 2>/dev/null || true
    pg_stop
}

pg_start() {
    local major bindir base dir port attempt started=""

    if [[ -n $LANDMAP_PG_DIR ]]; then
        landmap_say "pg_start: replacing the test server already started from this shell"
        pg_stop
    fi

    major=${LANDMAP_PG_MAJOR:-}
    if [[ -z $major ]] && ! major=$(landmap_pg_installed_major); then
        landmap_err "no PostgreSQL server under /usr/lib/postgresql (scripts/test installs it)"
        return 1
    fi
    bindir=/usr/lib/postgresql/$major/bin
    if [[ ! -x $bindir/postgres ]]; then
        landmap_err "$bindir/postgres not found (LANDMAP_PG_MAJOR=$major)"
        return 1
    fi
    if [[ ! -e /usr/share/postgresql/$major/extension/postgis.control ]]; then
        landmap_err "PostGIS is not installed for PostgreSQL $major (Debian: postgresql-$major-postgis-3)"
        return 1
    fi

    # /tmp rather than $TMPDIR: as root, the postgres user must be able to reach the directory,
    # and the socket path inside it must stay under the 107-byte limit of unix sockets.
    base=${LANDMAP_PG_TMPDIR:-/tmp}
    _landmap_pg_reap_stale "$base"
    _landmap_pg_ensure_user || return 1

    dir=$(mktemp -d "$base/landmap-pg.XXXXXXXX") || return 1
    LANDMAP_PG_DIR=$dir
    printf '%s\n' "$$" >"$dir/landmap-owner"
    printf '%s\n' "$bindir" >"$dir/landmap-bindir"
    if [[ $EUID -eq 0 ]]; then
        chown -R postgres: "$dir" || { pg_stop; return 1; }
    fi
    landmap_say "starting a throwaway PostgreSQL $major + PostGIS in $dir"

    # trust auth: initdb's pg_hba.conf then allows local socket and 127.0.0.1/::1 without password.
    if ! _landmap_pg_as_owner "$dir" "$bindir/initdb" -D "$dir/data" -U postgres \
        --auth=trust --encoding=UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1; then
        landmap_err "initdb failed:"
        cat "$dir/initdb.log" >&2
        pg_stop
        return 1
    fi
    # Appended after initdb's defaults, so these win.  Durability is pointless for a throwaway.
    cat >>"$dir/data/postgresql.conf" <<CONF

# --- Landmap throwaway test cluster (scripts/lib/pg.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
CONF

    # The port is free when we ask, but someone may take it before the server binds: retry.
    for attempt in 1 2 3; do
        port=$(_landmap_pg_free_port) || { pg_stop; return 1; }
        if _landmap_pg_as_owner "$dir" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
            -o "-p $port" -w -t 60 start >"$dir/pg_ctl.log" 2>&1; then
            started=1
            break
        fi
        grep -q -e 'could not bind' -e 'Address already in use' "$dir/server.log" 2>/dev/null ||
            break
        landmap_say "port $port was taken (attempt $attempt); trying another"
    done
    if [[ -z $started ]]; then
        _landmap_pg_fail "$dir" pg_ctl.log "the PostgreSQL server did not start; pg_ctl said:"
        return 1
    fi

    # Clients connect over TCP as the postgres role (trust); they can run as any OS user.
    if ! "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c 'CREATE DATABASE landmap_test' >"$dir/psql.log" 2>&1 ||
        ! "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres \
            -d landmap_test -c 'CREATE EXTENSION postgis' >>"$dir/psql.log" 2>&1; then
        _landmap_pg_fail "$dir" psql.log "could not create database landmap_test with PostGIS:"
        return 1
    fi

    export LANDMAP_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/landmap_test"
    landmap_say "PostGIS ready: $LANDMAP_TEST_DATABASE_URL"
}

pg_stop() {
    local dir=${LANDMAP_PG_DIR:-}
    if [[ -n $dir && -d $dir ]]; then
        landmap_say "stopping the throwaway PostgreSQL server and removing $dir"
        _landmap_pg_destroy "$dir"
    fi
    LANDMAP_PG_DIR=""
    unset LANDMAP_TEST_DATABASE_URL
    return 0
}
