#!/usr/bin/env bash
# Installs the offline end-to-end test bed: kube-apiserver and etcd built from source with the
# machine's Go (versions named by testbed/go/*/go.mod), and moto's server in a Python virtual
# environment (version named by testbed/requirements-moto.txt).
#
# Everything goes to ${LAMBDAOP_CACHE:-$HOME/.cache/lambda-operator}, outside the repository:
#   bin/k8s-v<version>/kube-apiserver
#   bin/etcd-v<version>/etcd
#   bin/helm-v<version>/helm          (the chart tests: lint, template, install)
#   bin/argocd-lua-v<version>-<hash>/argocd-lua
#                                     (Argo CD's own Lua runtime, util/lua of argo-cd v<version>, running our
#                                     health checks and actions; <hash>: of testbed/go/argocd-lua's sources)
#   moto-<version>/bin/moto_server
#   testbed.env            (the paths above, for shell use)
# dev.lambdaop.testbed.LocalTestbed finds the binaries by the same rule.
#
# Idempotent: a component that is already installed is not touched, so a second run takes
# about a second. Bumping a version in go.mod or requirements-moto.txt installs the new one
# next to the old. Needs: go (1.26+), python3 with venv, and access to the Go module proxy
# and PyPI. argocd-lua needs the Go toolchain its go.mod names (Argo CD needs a newer Go than the
# test bed): the go command fetches it from the module proxy once (GOTOOLCHAIN=auto for that build).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${LAMBDAOP_CACHE:-$HOME/.cache/lambda-operator}
logs=$cache/logs
mkdir -p "$cache/bin" "$logs"

die() { echo "install.sh: $*" >&2; exit 1; }

# fail_with_log NAME LOGFILE: report a failed step with the end of its log
fail_with_log() {
  echo "install.sh: $1 failed; last lines of $2:" >&2
  tail -n 30 "$2" >&2 || true
  exit 1
}

# gomod_version GO_MOD MODULE: the version of MODULE that GO_MOD requires
gomod_version() {
  awk -v m="$2" '
    $0 ~ /=>/ { next }
    $1 == "require" && $2 == m { print $3; exit }
    $1 == m { print $2; exit }' "$1"
}

# build_go NAME MODULE_DIR PACKAGE OUT [LDFLAGS [GOTOOLCHAIN]]: go build PACKAGE inside MODULE_DIR to OUT
build_go() {
  local name=$1 dir=$2 pkg=$3 out=$4 ldflags=${5:-} toolchain=${6:-${GOTOOLCHAIN:-}}
  if [[ -x $out ]]; then
    echo "$name: cached ($out)"
    return
  fi
  command -v go >/dev/null || die "go is not on PATH (needed to build $name)"
  local log=$logs/build-$name.log tmp=$out.tmp.$$ start=$SECONDS
  mkdir -p "$(dirname "$out")"
  trap "rm -f '$tmp'" EXIT
  # GOWORK=off: build exactly this module; -mod=readonly: go.sum is complete and committed.
  # (errexit does not apply inside a command list tested by ||, hence the &&.)
  (
    cd "$dir" &&
      GOTOOLCHAIN=$toolchain GOWORK=off GOFLAGS=-mod=readonly go mod download &&
      GOTOOLCHAIN=$toolchain GOWORK=off GOFLAGS=-mod=readonly go build -buildvcs=false -ldflags "-s -w $ldflags" -o "$tmp" "$pkg"
  ) >"$log" 2>&1 || fail_with_log "building $name" "$log"
  mv -f "$tmp" "$out"
  trap - EXIT
  echo "$name: built in $((SECONDS - start))s ($out)"
}

# --- kube-apiserver ---------------------------------------------------------------------
k8s_dir=$here/go/kube-apiserver
k8s_version=$(gomod_version "$k8s_dir/go.mod" k8s.io/kubernetes)
[[ $k8s_version =~ ^v([0-9]+)\.([0-9]+)\. ]] || die "cannot read the k8s.io/kubernetes version from $k8s_dir/go.mod"
# what the upstream build stamps (hack/lib/version.sh), so that /version reports the release
k8s_ldflags=""
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=${BASH_REMATCH[1]}"
  k8s_ldflags+=" -X $pkg.gitMinor=${BASH_REMATCH[2]} -X $pkg.gitTreeState=clean"
done
kube_apiserver=$cache/bin/k8s-$k8s_version/kube-apiserver
build_go kube-apiserver "$k8s_dir" k8s.io/kubernetes/cmd/kube-apiserver "$kube_apiserver" "$k8s_ldflags"

# --- etcd -------------------------------------------------------------------------------
etcd_dir=$here/go/etcd
etcd_version=$(gomod_version "$etcd_dir/go.mod" go.etcd.io/etcd/server/v3)
[[ -n $etcd_version ]] || die "cannot read the go.etcd.io/etcd/server/v3 version from $etcd_dir/go.mod"
etcd=$cache/bin/etcd-$etcd_version/etcd
build_go etcd "$etcd_dir" go.etcd.io/etcd/server/v3 "$etcd"

# --- helm -------------------------------------------------------------------------------
helm_dir=$here/go/helm
helm_version=$(gomod_version "$helm_dir/go.mod" helm.sh/helm/v3)
[[ -n $helm_version ]] || die "cannot read the helm.sh/helm/v3 version from $helm_dir/go.mod"
helm=$cache/bin/helm-$helm_version/helm
build_go helm "$helm_dir" helm.sh/helm/v3/cmd/helm "$helm" "-X helm.sh/helm/v3/internal/version.version=$helm_version"

# --- argocd-lua (Argo CD's util/lua: the runtime Argo CD runs health checks and actions in) ----
argocd_lua_dir=$here/go/argocd-lua
argocd_version=$(gomod_version "$argocd_lua_dir/go.mod" github.com/argoproj/argo-cd/v3)
[[ -n $argocd_version ]] || die "cannot read the github.com/argoproj/argo-cd/v3 version from $argocd_lua_dir/go.mod"
# the harness is our code: a change of it builds anew, as a change of the Argo CD version does
# (ArgoCdLua.java computes the same hash to find the binary)
argocd_lua_hash=$(cd "$argocd_lua_dir" && cat go.mod go.sum main.go | sha256sum | cut -c1-12)
argocd_lua=$cache/bin/argocd-lua-$argocd_version-$argocd_lua_hash/argocd-lua
build_go argocd-lua "$argocd_lua_dir" . "$argocd_lua" "" auto

# --- moto -------------------------------------------------------------------------------
requirements=$here/requirements-moto.txt
moto_version=$(sed -nE 's/^moto(\[[^]]*\])?==([^[:space:];#]+).*/\2/p' "$requirements" | head -n 1)
[[ -n $moto_version ]] || die "cannot read the moto version from $requirements"
venv=$cache/moto-$moto_version
moto_server=$venv/bin/moto_server
# A virtual environment cannot be renamed once made, so it is made in place and a stamp
# holding the requirements' checksum is written last: no stamp (an interrupted install) or a
# different checksum (edited pins) means install again.
stamp=$venv/.lambdaop-requirements.sha256
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" && -x $moto_server ]] \
    && "$venv/bin/python" -c 'import moto.server' >/dev/null 2>&1; then
  echo "moto: cached ($moto_server)"
else
  command -v python3 >/dev/null || die "python3 is not on PATH (needed for moto)"
  start=$SECONDS log=$logs/install-moto.log
  rm -rf "$venv"
  python3 -m venv "$venv" >"$log" 2>&1 ||
    fail_with_log "python3 -m venv (on Debian: apt-get install python3-venv)" "$log"
  {
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
      -r "$requirements" &&
      "$venv/bin/python" -c 'import moto.server'
  } >>"$log" 2>&1 || fail_with_log "installing moto" "$log"
  echo "$want" >"$stamp"
  echo "moto: installed in $((SECONDS - start))s ($moto_server)"
fi

# --- testbed.env ------------------------------------------------------------------------
env_file=$cache/testbed.env
cat >"$env_file.tmp.$$" <<EOF
# written by testbed/install.sh
LAMBDAOP_KUBE_APISERVER=$kube_apiserver
LAMBDAOP_ETCD=$etcd
LAMBDAOP_MOTO_SERVER=$moto_server
LAMBDAOP_HELM=$helm
LAMBDAOP_ARGOCD_LUA=$argocd_lua
EOF
mv -f "$env_file.tmp.$$" "$env_file"
