# shellcheck shell=bash
# Setup helpers shared by scripts/test and scripts/run.  Source this file; do not run it.
#
#   ensure_venv [EXTRAS]            .venv exists and holds the project (pip install -e '.[EXTRAS]'),
#                                   reinstalled only when pyproject.toml or EXTRAS change
#   ensure_apt PKG...               Debian packages installed, only those dpkg says are missing
#   ensure_report_system_packages   chromium and the Thai fonts (PDF reports, in the app too)
#   ensure_test_system_packages     PostgreSQL + PostGIS, chromium, Thai fonts, poppler-utils
#   landmap_detect_pg_major         sets LANDMAP_PG_MAJOR (installed server first, else apt's)
#
# Functions return non-zero on failure (they do not `exit`), so they are safe to source into an
# interactive shell; the scripts run under `set -euo pipefail` and stop on the first failure.

if [[ -n ${_LANDMAP_SETUP_SH:-} ]]; then
    return 0  # already sourced
fi
_LANDMAP_SETUP_SH=1

# The repository root, from this file's own path (scripts/lib/setup.sh).
LANDMAP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
LANDMAP_VENV="$LANDMAP_ROOT/.venv"

# Keep in step with `requires-python` in pyproject.toml.
LANDMAP_MIN_PYTHON="3.11"

# Bump when the install steps below change, so that existing stamps stop matching.
_LANDMAP_STAMP_FORMAT=1

# Installed into the test venv on top of '.[test]'.  --no-deps: its GeoPackage validator
# (python -m osgeo_utils.samples.validate_gpkg FILE) runs without the GDAL Python bindings,
# which cannot be built here.
_LANDMAP_TEST_NODEPS_PACKAGES=("gdal-utils>=3.8")

landmap_say() { printf '==> %s\n' "$*" >&2; }
landmap_err() { printf 'error: %s\n' "$*" >&2; }

# Run a command as root: directly when we are root, else through sudo when it exists.
landmap_as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        landmap_err "needs root (not root, and no sudo): $*"
        return 1
    fi
}

# ---------------------------------------------------------------------------------------------
# Debian packages

_LANDMAP_APT_UPDATED=${_LANDMAP_APT_UPDATED:-}

# `apt-get update`, at most once per shell.  Output goes to stderr so that callers may capture
# stdout.  Lock::Timeout waits for a boot-time unattended-upgrades run instead of failing.
landmap_apt_update() {
    [[ -z $_LANDMAP_APT_UPDATED ]] || return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        landmap_err "apt-get not found: automatic setup supports Debian and Ubuntu only"
        return 1
    fi
    landmap_say "apt-get update"
    landmap_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -q -o DPkg::Lock::Timeout=600 update >&2 || return 1
    _LANDMAP_APT_UPDATED=1
}

# True when dpkg knows PKG as fully installed ("install ok installed"; a package that was
# removed but not purged still has a dpkg record, so the status has to be read, not just found).
landmap_dpkg_installed() {
    local status
    status=$(dpkg-query --show --showformat='${Status}' "$1" 2>/dev/null) || return 1
    [[ $status == "install ok installed" ]]
}

# ensure_apt PKG...: install the packages dpkg reports missing; do nothing (and no apt-get
# update) when all are there.  Give real package names, not virtual ones: a virtual name never
# shows as installed and would trigger an install on every run.
ensure_apt() {
    local pkg
    local -a missing=()
    if ! command -v dpkg-query >/dev/null 2>&1; then
        landmap_err "dpkg not found: install these yourself: $*"
        return 1
    fi
    for pkg in "$@"; do
        landmap_dpkg_installed "$pkg" || missing+=("$pkg")
    done
    [[ ${#missing[@]} -gt 0 ]] || return 0

    landmap_say "installing Debian packages: ${missing[*]}"
    landmap_apt_update || return 1
    # --no-install-recommends is safe for everything we install: chromium only recommends
    # chromium-sandbox (not used headless), postgresql only sysstat, postgis its CLI tools.
    landmap_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends "${missing[@]}" >&2
}

# Highest installed PostgreSQL server major under /usr/lib/postgresql, preferring one that
# already has PostGIS.  Prints it; fails when no server is installed.
landmap_pg_installed_major() {
    local postgres major best="" best_postgis=""
    for postgres in /usr/lib/postgresql/*/bin/postgres; do
        [[ -x $postgres ]] || continue  # also skips the unexpanded glob
        major=${postgres#/usr/lib/postgresql/}
        major=${major%%/*}
        [[ $major =~ ^[0-9]+$ ]] || continue
        if [[ -z $best ]] || ((major > best)); then
            best=$major
        fi
        if [[ -e /usr/share/postgresql/$major/extension/postgis.control ]] &&
            { [[ -z $best_postgis ]] || ((major > best_postgis)); }; then
            best_postgis=$major
        fi
    done
    [[ -n ${best_postgis:-$best} ]] || return 1
    printf '%s\n' "${best_postgis:-$best}"
}

# Set LANDMAP_PG_MAJOR (unless the caller already set it): the installed server's major, else
# the major of the distribution's `postgresql` package (15 on Debian 12, 16 on Ubuntu 24.04).
# Not meant for $(...): apt-get update must run in this shell to be remembered.
landmap_detect_pg_major() {
    local candidate
    if [[ -n ${LANDMAP_PG_MAJOR:-} ]]; then
        return 0
    fi
    if LANDMAP_PG_MAJOR=$(landmap_pg_installed_major); then
        return 0
    fi
    landmap_apt_update || return 1
    # e.g. "Candidate: 15+248+deb12u2" -> 15
    candidate=$(LC_ALL=C apt-cache policy postgresql | awk '$1 == "Candidate:" { print $2 }')
    LANDMAP_PG_MAJOR=${candidate%%+*}
    if ! [[ $LANDMAP_PG_MAJOR =~ ^[0-9]+$ ]]; then
        landmap_err "cannot tell which PostgreSQL apt offers (apt-cache policy postgresql: '${candidate}'); set LANDMAP_PG_MAJOR"
        LANDMAP_PG_MAJOR=""
        return 1
    fi
}

# What the app needs from the system to print PDF reports (evidence packs, village maps):
# Debian's chromium, driven by Playwright, and fonts with Thai and Latin glyphs as fallbacks.
ensure_report_system_packages() {
    ensure_apt chromium fonts-thai-tlwg fonts-noto-core
}

# What scripts/test needs from the system.  postgresql-N (the server, not the `postgresql`
# metapackage) keeps the version the same as the postgis build we install.  Installing it lets
# Debian create and start its own cluster; we never touch that one (see scripts/lib/pg.sh).
ensure_test_system_packages() {
    landmap_detect_pg_major || return 1
    ensure_apt \
        "postgresql-$LANDMAP_PG_MAJOR" "postgresql-$LANDMAP_PG_MAJOR-postgis-3" \
        chromium fonts-thai-tlwg fonts-noto-core poppler-utils
}

# ---------------------------------------------------------------------------------------------
# Python virtual environment

# Print the first interpreter that is at least LANDMAP_MIN_PYTHON (LANDMAP_PYTHON wins).
landmap_find_python() {
    local candidate
    for candidate in ${LANDMAP_PYTHON:-} python3 python3.13 python3.12 python3.11; do
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c "import sys; sys.exit(sys.version_info < tuple(map(int, '$LANDMAP_MIN_PYTHON'.split('.'))))" 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# Create .venv with `python -m venv`.  Debian and Ubuntu ship venv's pip bootstrap (ensurepip)
# separately, in pythonX.Y-venv (what python3-venv pulls in), so install that when it is missing.
_landmap_create_venv() {
    local python version
    if ! python=$(landmap_find_python); then
        if command -v python3 >/dev/null 2>&1; then
            landmap_err "Python >= $LANDMAP_MIN_PYTHON is needed; python3 is $(python3 --version 2>&1)." \
                "Install a newer one (Ubuntu 22.04: apt-get install python3.11 python3.11-venv) or set LANDMAP_PYTHON."
            return 1
        fi
        ensure_apt python3 python3-venv || return 1
        python=$(landmap_find_python) || {
            landmap_err "the distribution's python3 is older than $LANDMAP_MIN_PYTHON"
            return 1
        }
    fi
    if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])') || return 1
        ensure_apt "python$version-venv" || return 1
    fi
    if [[ -e $LANDMAP_VENV ]]; then
        landmap_say ".venv is unusable (its python or pip does not run): recreating it"
    fi
    landmap_say "creating .venv with $python ($("$python" --version 2>&1))"
    "$python" -m venv --clear "$LANDMAP_VENV"
}

# The stamp's content: a hash of pyproject.toml, the extras and what else the install adds.
_landmap_install_hash() {
    local extras=$1
    {
        cat "$LANDMAP_ROOT/pyproject.toml"
        printf '\n--- stamp format %s; extras [%s]\n' "$_LANDMAP_STAMP_FORMAT" "$extras"
        if [[ $extras == test ]]; then
            printf 'no-deps: %s\n' "${_LANDMAP_TEST_NODEPS_PACKAGES[@]}"
        fi
    } | sha256sum | cut -d' ' -f1
}

_landmap_stamp_file() { printf '%s/.landmap-install-%s\n' "$LANDMAP_VENV" "${1:-base}"; }

# True when the stamp for EXTRAS holds the current hash.
_landmap_stamp_current() {
    local extras=$1 file
    file=$(_landmap_stamp_file "$extras")
    [[ -f $file && $(<"$file") == "$(_landmap_install_hash "$extras")" ]]
}

# ensure_venv [EXTRAS]: .venv exists and has the project installed editable, with EXTRAS
# ("" for scripts/run, "test" for scripts/test).  pip runs only when the stamp for EXTRAS does
# not match (first run, pyproject.toml changed, other extras) or landmap is not installed;
# a current "test" stamp also satisfies a plain install, since [test] is a superset.
# Source files need no reinstall: the install is editable.
ensure_venv() {
    local extras=${1:-} hash
    local python="$LANDMAP_VENV/bin/python"
    local spec="."
    [[ -z $extras ]] || spec=".[$extras]"

    # A venv whose interpreter is gone (python upgraded or removed) or that has no pip (venv
    # creation failed half-way, e.g. on Debian without pythonX.Y-venv) is made again.
    if ! "$python" -c 'import sys' >/dev/null 2>&1; then
        _landmap_create_venv || return 1
    fi

    if "$python" -c 'import importlib.metadata as m; m.distribution("landmap")' >/dev/null 2>&1; then
        if _landmap_stamp_current "$extras" || { [[ -z $extras ]] && _landmap_stamp_current test; }; then
            return 0
        fi
    fi

    if ! "$python" -m pip --version >/dev/null 2>&1; then
        _landmap_create_venv || return 1
    fi
    # Hash what pip is about to install (pyproject.toml may change while it runs).
    hash=$(_landmap_install_hash "$extras") || return 1
    landmap_say "installing the project into .venv: pip install -e '$spec'"
    rm -f "$(_landmap_stamp_file "$extras")"
    (
        cd "$LANDMAP_ROOT" &&
            PIP_DISABLE_PIP_VERSION_CHECK=1 "$python" -m pip install --progress-bar off -e "$spec"
    ) || return 1
    if [[ $extras == test ]]; then
        landmap_say "pip install --no-deps ${_LANDMAP_TEST_NODEPS_PACKAGES[*]}"
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$python" -m pip install --progress-bar off --no-deps \
            "${_LANDMAP_TEST_NODEPS_PACKAGES[@]}" || return 1
    fi
    printf '%s\n' "$hash" >"$(_landmap_stamp_file "$extras")"
}
